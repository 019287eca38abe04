import { eventLine } from './event-lines';

describe('eventLine', () => {
  it("names people by name once SimulationStarted told them, and says nothing for quiet events", () => {
    const names: Record<string, string> = {};
    expect(eventLine({ type: 'SimulationStarted', data: { config: { roster: [{ personaId: 'ada', name: 'Ada L.' }] } } }, names)).toBeNull();
    expect(eventLine({ type: 'FeatureAssigned', data: { featureId: 'slug', driver: 'ada', navigator: null, reviewer: 'bob' } }, names)).toEqual({ text: '  slug → Ada L. (solo), review by bob' });
    expect(eventLine({ type: 'ToolCallCompleted', data: { taskId: 't.slug.1', name: 'run_tests', ok: true, testsPassed: false } }, names)).toEqual({ text: '  slug: tests failed', tone: 'bad' });
    expect(eventLine({ type: 'ToolCallCompleted', data: { taskId: 't.slug.1', name: 'write_file', ok: true } }, names)).toBeNull();
    expect(eventLine({ type: 'SandboxCreated', data: {} }, names)).toBeNull();
  });
});
