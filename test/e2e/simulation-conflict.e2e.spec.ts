import { SimulationStack, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * Two features that both change the same line of one file: the first merges, the second conflicts
 * when integrated; the conflict goes back to its author, who merges main into the branch, re-runs
 * the tests and finishes; the simulation completes with both features on main.
 */
describe('a merge conflict between two features', () => {
  let stack: SimulationStack;

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-conflict.json');
  });
  afterAll(() => stack?.stop());

  it('sends the conflict back to the author, who resolves it, and both features end on main', async () => {
    const created = await stack.post('/projects', twoModuleProject());
    const started = await stack.post(`/projects/${created.body.projectId}/simulations`, {
      seed: 5,
      teams: 1,
      teamSize: 2,
      process: { pairing: false, review: false },
    });
    const { simulationId } = started.body;
    const sim = await stack.waitFor(simulationId, finished);
    expect(sim).toMatchObject({ status: 'completed', metrics: { featuresDone: 2, acceptanceTestsPassed: 2 } });

    const all = await stack.events(simulationId);
    const conflicts = all.filter((e) => e.type === 'MergeConflicted').map((e) => e.data);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0].files).toEqual(['textutils/__init__.py']);
    const author = conflicts[0].taskId;
    // the author read the conflict, merged main in, and its next integration passed and merged
    const resolved = all.filter((e) => e.type === 'ToolCallCompleted' && e.data.taskId === author && e.data.name === 'run_command');
    expect(resolved).toHaveLength(1);
    expect(resolved[0].data.ok).toBe(true);
    const runs = all.filter((e) => e.type === 'AcceptanceTestsRun' && e.data.taskId === author).map((e) => e.data.passed);
    expect(runs).toEqual([true]);
    expect(all.filter((e) => e.type === 'BranchMerged')).toHaveLength(2);

    const files = (await (await fetch(`${stack.pm.url}/simulations/${simulationId}/workspace`)).json()) as any;
    const main = files.files.filter((f: any) => !f.path.startsWith('.worktrees/')).map((f: any) => f.path);
    expect(main).toEqual(expect.arrayContaining(['textutils/slug.py', 'textutils/count.py', 'textutils/__init__.py']));
  });
});
