/** A request for a slot, in the order it was made (`seq`: its position in the log). */
export interface WaitingRequest {
  simulationId: string;
  projectId: string;
  seq: number;
}

/**
 * Which waiting requests get the free slots, in order. Fair across projects: each slot goes to the
 * oldest request of the project with the fewest simulations running (those admitted here count),
 * ties to the oldest request — so one project that starts a hundred simulations does not make
 * another's single one wait behind all of them, and within a project it is first come, first served.
 * Pure; `waiting` in any order.
 */
export function pickAdmissions(limit: number, runningByProject: Readonly<Record<string, number>>, waiting: readonly WaitingRequest[]): WaitingRequest[] {
  const running = { ...runningByProject };
  let free = limit - Object.values(running).reduce((n, c) => n + c, 0);
  const queues = new Map<string, WaitingRequest[]>();
  for (const w of [...waiting].sort((a, b) => a.seq - b.seq)) {
    const q = queues.get(w.projectId);
    if (q) q.push(w);
    else queues.set(w.projectId, [w]);
  }
  const picked: WaitingRequest[] = [];
  while (free > 0 && queues.size > 0) {
    let best: WaitingRequest | null = null;
    for (const [projectId, q] of queues) {
      const head = q[0];
      if (!best) best = head;
      else {
        const fewer = (running[projectId] ?? 0) - (running[best.projectId] ?? 0);
        if (fewer < 0 || (fewer === 0 && head.seq < best.seq)) best = head;
      }
    }
    const q = queues.get(best!.projectId)!;
    q.shift();
    if (q.length === 0) queues.delete(best!.projectId);
    running[best!.projectId] = (running[best!.projectId] ?? 0) + 1;
    picked.push(best!);
    free--;
  }
  return picked;
}
