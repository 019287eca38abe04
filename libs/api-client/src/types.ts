/**
 * The public API's response shapes, as clients read them. Written out here on purpose: the client
 * runs in the browser, so it cannot import the server's modules (Nest, zod schemas, Postgres).
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ProjectSummary {
  projectId: string;
  name: string;
  stack: string;
  backlogSource: string;
  backlogStatus: 'ready' | 'pending' | 'failed';
  createdAt: string;
}

export type SimulationStatus = 'queued' | 'forming' | 'planning' | 'running' | 'reviewing' | 'completed' | 'failed' | 'cancelled';

export interface SimulationSummary {
  simulationId: string;
  projectId: string;
  status: SimulationStatus;
  startedAt: string | null;
  updatedAt: string;
}

export interface SimulationMetrics {
  featuresTotal: number;
  featuresDone: number;
  acceptanceTestsTotal: number;
  acceptanceTestsPassed: number;
  sprints: { sprint: number; committedPoints: number; deliveredPoints: number }[];
  estimation: { featureId: string; points: number; turns: number; tokens: number; done: boolean }[];
  tokensByRole: Record<string, { prompt: number; completion: number }>;
  llmTimeMs: number;
  sandboxTimeMs: number;
  wallTimeMs: number;
}

export interface ReplayVerdict {
  identical: boolean;
  compared: { streams: number; events: number };
  firstDivergence: { streamId: string; index: number; differences?: unknown[]; [k: string]: unknown } | null;
}

export interface Simulation extends SimulationSummary {
  queuedAt: string | null;
  queue?: { position: number };
  failure: { code: string; reason: string; resumable: boolean; at: string } | null;
  resumptions: number;
  forkOf?: { simulationId: string; atPosition: number };
  /** A replay's original: an object (the id and what it re-executes), not a string. */
  replayOf?: { simulationId: string; [k: string]: unknown };
  replay?: (ReplayVerdict & { originalId?: string }) | null;
  teams: Record<string, { members: { personaId: string; seniority: string }[]; features: string[]; pairs: { driver: string; navigator: string }[] }>;
  sprint: { number: number; committed: Record<string, { teamId: string; points: number }>; estimates: Record<string, number>; outcomes: Record<string, 'done' | 'abandoned'> };
  metrics: SimulationMetrics;
}

export interface HistoryEvent {
  eventId: string;
  position: number;
  type: string;
  schemaVersion: number;
  streamId: string;
  streamVersion: number;
  data: any;
  metadata: any;
  recordedAt?: string;
}

export interface WorkspaceFile {
  path: string;
  hash: string;
  size?: number | null;
  content?: string | null;
}

export interface Workspace {
  simulationId: string;
  position: number;
  workspaceId: string;
  team: string | null;
  files: WorkspaceFile[];
}

export type ReplayResult = ({ status: 'compared'; replayId: string; originalId: string } & ReplayVerdict) | { status: 'running'; replayId: string };

export interface ForkResult {
  simulationId: string;
  forkOf: { simulationId: string; atPosition: number };
  seed: number;
  position: number;
}

export interface StartResult {
  simulationId: string;
  seed: number;
  position: number;
}

/** One line of `GET /simulations/:id/export?format=chat&metadata=true`. */
export interface ChatExample {
  messages: { role: string; content: string | null; tool_calls?: unknown[]; [k: string]: unknown }[];
  tools?: unknown[];
  metadata?: { agentId?: string; personaId?: string; role?: string; position?: number; model?: string; usage?: unknown; [k: string]: unknown };
}
