import { ProjectCreated, SimulationConfig } from '@swe-sim/contracts';
import { aProjectCreated } from '@swe-sim/testing';
import {
  ProjectAlreadyExistsError,
  ProjectBacklogNotReadyError,
  ProjectCommand,
  ProjectEvent,
  ProjectNotFoundError,
  decideProject,
  evolveProject,
  initialProjectState,
} from './project.decider';

const aProject = aProjectCreated;
/** A project left to the product manager: no backlog of its own. */
const aProjectToDecompose = () => aProjectCreated({ backlogSource: 'decomposition', backlog: [] });
const decomposedBacklog = [
  { featureId: 'text', title: 'Text utilities', description: 'slugify and word_count', acceptanceCriteria: ['the suite passes'], tests: ['tests/test_text.py'], skills: ['python'] },
];
const config = { seed: 1 } as unknown as SimulationConfig; // passed through untouched
const startSimulation: ProjectCommand = { type: 'StartSimulation', data: { simulationId: '7d7f4c1e-0d5e-4bb4-9d55-3f0a8d4c9a11', config } };

const given = (events: ProjectEvent[]) => ({
  when: (command: ProjectCommand) => () => decideProject(command, events.reduce(evolveProject, initialProjectState)),
});

describe('project decider', () => {
  it('given no history, when CreateProject, then ProjectCreated', () => {
    const data = aProject();
    expect(given([]).when({ type: 'CreateProject', data })()).toEqual([{ type: 'ProjectCreated', data }]);
  });

  it('given ProjectCreated, when CreateProject again, then it refuses with PROJECT_ALREADY_EXISTS', () => {
    const data = aProject();
    expect(given([{ type: 'ProjectCreated', data }]).when({ type: 'CreateProject', data })).toThrow(ProjectAlreadyExistsError);
  });

  it('given no history, when CreateProject without a backlog (decomposition), then ProjectCreated with an empty backlog', () => {
    const data = aProjectToDecompose();
    expect(given([]).when({ type: 'CreateProject', data })()).toEqual([{ type: 'ProjectCreated', data }]);
  });

  it('given a user-given backlog, when StartSimulation, then SimulationStarted with a snapshot of the project and its backlog', () => {
    const data = aProject();
    const [started] = given([{ type: 'ProjectCreated', data }]).when(startSimulation)();
    expect(started).toEqual({
      type: 'SimulationStarted',
      data: {
        simulationId: startSimulation.data.simulationId,
        project: { projectId: data.projectId, name: data.name, description: data.description, stack: data.stack, acceptance: data.acceptance, scaffold: [], backlog: data.backlog },
        config,
      },
    });
  });

  it('given no project, when StartSimulation, then it refuses with PROJECT_NOT_FOUND', () => {
    expect(given([]).when(startSimulation)).toThrow(ProjectNotFoundError);
  });

  it('given a backlog still being decomposed, when StartSimulation, then it refuses with PROJECT_BACKLOG_PENDING', () => {
    const data = aProjectToDecompose();
    expect(given([{ type: 'ProjectCreated', data }]).when(startSimulation)).toThrow(expect.objectContaining({ code: 'PROJECT_BACKLOG_PENDING' }));
    expect(given([{ type: 'ProjectCreated', data }]).when(startSimulation)).toThrow(ProjectBacklogNotReadyError);
  });

  it('given BacklogDecomposed, when StartSimulation, then the simulation takes the decomposed backlog', () => {
    const data = aProjectToDecompose();
    const [started] = given([
      { type: 'ProjectCreated', data },
      { type: 'BacklogDecomposed', data: { projectId: data.projectId, backlog: decomposedBacklog, llm: { agentId: 'product-manager', seq: 0 } } },
    ]).when(startSimulation)();
    expect((started.data as { project: { backlog: unknown } }).project.backlog).toEqual(decomposedBacklog);
  });

  it('given BacklogDecompositionFailed, when StartSimulation, then it refuses with PROJECT_BACKLOG_FAILED and the reason', () => {
    const data = aProjectToDecompose();
    const failed = { projectId: data.projectId, code: 'LLM_OUTPUT_INVALID', reason: 'test "tests/nope.py" is not an acceptance test file', llm: null };
    const when = given([{ type: 'ProjectCreated', data }, { type: 'BacklogDecompositionFailed', data: failed }]).when(startSimulation);
    expect(when).toThrow(expect.objectContaining({ code: 'PROJECT_BACKLOG_FAILED', message: expect.stringContaining('tests/nope.py') }));
  });

  it('the first outcome of a decomposition counts: a later one changes nothing', () => {
    const data = aProjectToDecompose();
    const failed = { projectId: data.projectId, code: 'LLM_UNAVAILABLE', reason: 'down', llm: null };
    const decomposed = { projectId: data.projectId, backlog: decomposedBacklog, llm: { agentId: 'product-manager', seq: 0 } };
    const state = ([{ type: 'ProjectCreated', data }, { type: 'BacklogDecompositionFailed', data: failed }, { type: 'BacklogDecomposed', data: decomposed }] as ProjectEvent[]).reduce(
      evolveProject,
      initialProjectState,
    );
    expect(state).toMatchObject({ backlog: { status: 'failed', code: 'LLM_UNAVAILABLE' } });
  });

  it('given a user-given backlog, a stray BacklogDecomposed does not replace it', () => {
    const data = aProject();
    const state = (
      [{ type: 'ProjectCreated', data }, { type: 'BacklogDecomposed', data: { projectId: data.projectId, backlog: decomposedBacklog, llm: { agentId: 'pm', seq: 0 } } }] as ProjectEvent[]
    ).reduce(evolveProject, initialProjectState);
    expect(state).toMatchObject({ backlog: { status: 'ready', items: data.backlog } });
  });
});

describe('ProjectCreated (v2: backlogSource)', () => {
  const valid = (d: unknown) => ProjectCreated.schema.safeParse(d).success;

  it('takes a user-given backlog of at least one feature, or an empty one left to decomposition, and nothing in between', () => {
    const p = aProjectCreated();
    expect(valid(p)).toBe(true);
    expect(valid({ ...p, backlogSource: 'decomposition', backlog: [] })).toBe(true);
    expect(valid({ ...p, backlogSource: 'user', backlog: [] })).toBe(false);
    expect(valid({ ...p, backlogSource: 'decomposition' })).toBe(false);
  });

  it('upcasts v1 events (always a user-given backlog) to v2', () => {
    const { backlogSource: _s, ...v1 } = aProjectCreated();
    const v2 = ProjectCreated.upcasters![1](v1);
    expect(v2).toEqual({ ...v1, backlogSource: 'user' });
    expect(valid(v2)).toBe(true);
  });
});
