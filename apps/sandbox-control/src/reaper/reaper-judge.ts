/** A labelled container as the reaper sees it. */
export interface ContainerView {
  sandboxId?: string;
  pool?: string;
  owner?: string;
  /** Docker state: running, exited, created, dead… */
  state: string;
  /** Creation time (the engine's created-at label, else docker's). */
  createdAt: Date;
}

export interface RowView {
  status: 'created' | 'destroyed';
  expiresAt: Date;
}

export interface JudgeContext {
  /** The read-model row of the container's sandbox, if any. */
  row: RowView | undefined;
  now: Date;
  /** A container no row knows is only removed once older than this (its SandboxCreated may be on its way). */
  graceMs: number;
  /** Sandboxes being created by this process right now. */
  creating: ReadonlySet<string>;
  me: string;
  /** When this process started (pool containers of ours from before are leftovers). */
  startedAt: Date;
  /** Instances with a recent heartbeat. */
  liveOwners: ReadonlySet<string>;
}

export type Verdict =
  | { action: 'keep' }
  /** Remove the container; nothing to record (already destroyed, or never recorded). */
  | { action: 'remove'; reason: 'released' | 'unknown' | 'pool-leftover' }
  /** Remove it and record SandboxDestroyed with this reason. */
  | { action: 'destroy'; reason: 'expired' | 'lost' };

/** The reaper's rule for one container, pure. */
export function judgeContainer(c: ContainerView, ctx: JudgeContext): Verdict {
  if (c.pool !== undefined) {
    if (c.owner === ctx.me) return c.createdAt < ctx.startedAt ? { action: 'remove', reason: 'pool-leftover' } : { action: 'keep' };
    return c.owner !== undefined && ctx.liveOwners.has(c.owner) ? { action: 'keep' } : { action: 'remove', reason: 'pool-leftover' };
  }
  if (c.sandboxId === undefined || ctx.creating.has(c.sandboxId)) return { action: 'keep' };
  if (!ctx.row) {
    return ctx.now.getTime() - c.createdAt.getTime() > ctx.graceMs ? { action: 'remove', reason: 'unknown' } : { action: 'keep' };
  }
  if (ctx.row.status === 'destroyed') return { action: 'remove', reason: 'released' };
  if (ctx.row.expiresAt <= ctx.now) return { action: 'destroy', reason: 'expired' };
  if (c.state !== 'running') return { action: 'destroy', reason: 'lost' };
  return { action: 'keep' };
}
