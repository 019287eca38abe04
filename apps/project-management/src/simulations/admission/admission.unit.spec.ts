import { WaitingRequest, pickAdmissions } from './admission';

const req = (simulationId: string, projectId: string, seq: number): WaitingRequest => ({ simulationId, projectId, seq });

describe('admission', () => {
  it('given free slots, then the oldest requests, first come first served', () => {
    const waiting = [req('c', 'p', 30), req('a', 'p', 10), req('b', 'p', 20)];
    expect(pickAdmissions(2, {}, waiting).map((w) => w.simulationId)).toEqual(['a', 'b']);
  });

  it('admits nothing at the limit, and never beyond it', () => {
    expect(pickAdmissions(2, { p: 2 }, [req('a', 'p', 1)])).toEqual([]);
    expect(pickAdmissions(3, { p: 1, q: 1 }, [req('a', 'p', 1), req('b', 'q', 2), req('c', 'r', 3)]).map((w) => w.simulationId)).toEqual(['c']);
    expect(pickAdmissions(1, { p: 5 }, [req('a', 'q', 1)])).toEqual([]); // over the limit already (e.g. after it was lowered)
  });

  it('is fair across projects: the project with the fewest running goes first, then the oldest request', () => {
    // Project p queued five before q's one; p already runs one.
    const waiting = [1, 2, 3, 4, 5].map((i) => req(`p${i}`, 'p', i)).concat(req('q1', 'q', 6));
    expect(pickAdmissions(3, { p: 1 }, waiting).map((w) => w.simulationId)).toEqual(['q1', 'p1']);
    // With nothing running, they alternate, each project in its own order.
    const more = [...waiting, req('q2', 'q', 7)];
    expect(pickAdmissions(4, {}, more).map((w) => w.simulationId)).toEqual(['p1', 'q1', 'p2', 'q2']);
  });
});
