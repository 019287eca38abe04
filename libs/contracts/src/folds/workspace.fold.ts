/** path (workspace-relative, POSIX) → sha256 of the content. */
export type Manifest = Map<string, string>;

export type WorkspaceEvent =
  | { type: 'FileWritten'; data: { workspaceId: string; path: string; hash: string } }
  | { type: 'WorkspaceChanged'; data: { workspaceId: string; files: ReadonlyArray<{ path: string; hash: string | null }> } }
  | { type: string; data: unknown };

/**
 * A workspace as of the given events (in log order): a fold over FileWritten and WorkspaceChanged
 * (sandbox-control records every change, contents in the blob table); other events are passed
 * over. With `workspaceId`, only that workspace's events count.
 */
export function rebuildWorkspace(events: Iterable<WorkspaceEvent>, workspaceId?: string): Manifest {
  const files: Manifest = new Map();
  for (const e of events) {
    if (e.type === 'FileWritten') {
      const d = e.data as { workspaceId: string; path: string; hash: string };
      if (workspaceId === undefined || d.workspaceId === workspaceId) files.set(d.path, d.hash);
    } else if (e.type === 'WorkspaceChanged') {
      const d = e.data as { workspaceId: string; files: ReadonlyArray<{ path: string; hash: string | null }> };
      if (workspaceId !== undefined && d.workspaceId !== workspaceId) continue;
      for (const f of d.files) {
        if (f.hash === null) files.delete(f.path);
        else files.set(f.path, f.hash);
      }
    }
  }
  return files;
}

/** The simulation's one git repository is the sandbox-control workspace of this team id. */
export const SIMULATION_REPOSITORY_TEAM = 'repo';
export const repositoryWorkspaceId = (simulationId: string) => `${simulationId}/${SIMULATION_REPOSITORY_TEAM}`;
