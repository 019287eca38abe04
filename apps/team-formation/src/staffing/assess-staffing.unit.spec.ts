import { aProjectCreated } from '@swe-sim/testing';
import { assessStaffing } from './assess-staffing';

const aProject = (overrides: Record<string, unknown> = {}) =>
  aProjectCreated({ name: 'p', description: '', goals: [], backlog: [{ ...aProjectCreated().backlog[0], skills: [] }], ...overrides });

describe(assessStaffing.name, () => {
  it('needs the stack language and testing for any project', () => {
    expect(assessStaffing(aProject()).map((s) => s.skill)).toEqual(['python', 'testing']);
    expect(assessStaffing(aProject({ stack: 'node' })).map((s) => s.skill)).toEqual(['typescript', 'testing']);
  });

  it("adds the skills the backlog's features name, saying which features need them", () => {
    const project = aProjectCreated({ description: '', goals: [] });
    const skills = assessStaffing(project);
    expect(skills.map((s) => s.skill)).toEqual(['python', 'testing']);
    expect(skills[0].reason).toContain('slugify');
    expect(skills[1].reason).toContain('word-count');
  });

  it('adds skills the text signals, quoting the word that signalled each', () => {
    const skills = assessStaffing(aProject({ stack: 'node', description: 'An LRU cache behind an HTTP API', goals: ['persisted in Postgres'] }));
    expect(skills.map((s) => s.skill)).toEqual(['typescript', 'testing', 'backend', 'databases', 'algorithms']);
    expect(skills.find((s) => s.skill === 'backend')!.reason).toContain('HTTP');
  });
});
