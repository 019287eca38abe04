import { randomUUID } from 'node:crypto';
import { assessStaffing } from './assess-staffing';

const aProject = (overrides: Partial<Parameters<typeof assessStaffing>[0]> = {}) => ({
  projectId: randomUUID(),
  name: 'p',
  description: '',
  goals: [],
  stack: 'python' as const,
  ...overrides,
});

describe(assessStaffing.name, () => {
  it('needs the stack language and testing for any project', () => {
    expect(assessStaffing(aProject()).map((s) => s.skill)).toEqual(['python', 'testing']);
    expect(assessStaffing(aProject({ stack: 'node' })).map((s) => s.skill)).toEqual(['typescript', 'testing']);
  });

  it('adds skills the text signals, quoting the word that signalled each', () => {
    const skills = assessStaffing(aProject({ stack: 'node', description: 'An LRU cache behind an HTTP API', goals: ['persisted in Postgres'] }));
    expect(skills.map((s) => s.skill)).toEqual(['typescript', 'testing', 'backend', 'databases', 'algorithms']);
    expect(skills.find((s) => s.skill === 'backend')!.reason).toContain('HTTP');
  });
});
