import { randomUUID } from 'node:crypto';
import {
  LifecycleCommand,
  LifecycleEvent,
  SimulationEndedError,
  SimulationNotFoundError,
  SimulationNotResumableError,
  SimulationResumePendingError,
  decideLifecycle,
  evolveLifecycle,
  initialLifecycleState,
} from './simulation-lifecycle.decider';

const id = randomUUID();
const projectId = randomUUID();
const cancel: LifecycleCommand = { type: 'CancelSimulation', simulationId: id, reason: 'enough' };
const resume: LifecycleCommand = { type: 'ResumeSimulation', simulationId: id, reason: 'vLLM is back' };
const admit: LifecycleCommand = { type: 'AdmitSimulation', simulationId: id };
const given = (events: LifecycleEvent[]) => ({ when: (command: LifecycleCommand) => decideLifecycle(command, events.reduce(evolveLifecycle, initialLifecycleState)) });

const start = { simulationId: id, project: { projectId }, config: { seed: 1 } } as never;
const queued: LifecycleEvent = { type: 'SimulationQueued', data: { simulationId: id, projectId, start } };
const started: LifecycleEvent = { type: 'SimulationStarted', data: start };
const failedResumable: LifecycleEvent = { type: 'SimulationFailed', data: { resumable: true } };
const resumeQueued = (resumption: number): LifecycleEvent => ({ type: 'SimulationQueued', data: { simulationId: id, projectId, resume: { resumption, reason: 'r' } } });
const resumed = (resumption: number): LifecycleEvent => ({ type: 'SimulationResumed', data: { resumption } });

describe('simulation lifecycle', () => {
  it('given a running simulation, when cancelled, then SimulationCancelled', () => {
    expect(given([started]).when(cancel)).toEqual([{ type: 'SimulationCancelled', data: { simulationId: id, reason: 'enough' } }]);
  });

  it('cancels a simulation that waits in the queue or failed resumable', () => {
    expect(given([queued]).when(cancel)).toEqual([{ type: 'SimulationCancelled', data: { simulationId: id, reason: 'enough' } }]);
    expect(given([queued, started, failedResumable]).when(cancel)).toHaveLength(1);
    expect(given([queued, started, failedResumable, resumeQueued(1)]).when(cancel)).toHaveLength(1);
  });

  it('refuses to cancel what does not exist or has ended', () => {
    expect(() => given([]).when(cancel)).toThrow(SimulationNotFoundError);
    for (const end of ['SimulationCompleted', 'SimulationFailed', 'SimulationCancelled'] as const) {
      expect(() => given([started, { type: end, data: {} }]).when(cancel)).toThrow(SimulationEndedError);
    }
    expect(() => given([queued, { type: 'SimulationCancelled', data: {} }]).when(cancel)).toThrow(SimulationEndedError);
  });

  it('given a resumable failure, when resumed, then a request for a slot with the next resumption', () => {
    expect(given([queued, started, failedResumable]).when(resume)).toEqual([
      { type: 'SimulationQueued', data: { simulationId: id, projectId, resume: { resumption: 1, reason: 'vLLM is back' } } },
    ]);
    expect(given([queued, started, failedResumable, resumeQueued(1), resumed(1), failedResumable]).when(resume)).toEqual([
      { type: 'SimulationQueued', data: { simulationId: id, projectId, resume: { resumption: 2, reason: 'vLLM is back' } } },
    ]);
  });

  it('refuses to resume what is not failed resumable, or is being resumed', () => {
    expect(() => given([]).when(resume)).toThrow(SimulationNotFoundError);
    expect(() => given([queued]).when(resume)).toThrow(SimulationNotResumableError);
    expect(() => given([queued, started]).when(resume)).toThrow(SimulationNotResumableError);
    expect(() => given([queued, started, { type: 'SimulationCompleted', data: {} }]).when(resume)).toThrow(SimulationNotResumableError);
    expect(() => given([queued, started, { type: 'SimulationFailed', data: {} }]).when(resume)).toThrow(SimulationNotResumableError);
    expect(() => given([queued, started, failedResumable, resumeQueued(1)]).when(resume)).toThrow(SimulationResumePendingError);
    expect(() => given([queued, started, failedResumable, resumeQueued(1), resumed(1)]).when(resume)).toThrow(SimulationNotResumableError);
  });

  it('admits what waits: the start it was queued with, or its resume; nothing once cancelled or already admitted', () => {
    expect(given([queued]).when(admit)).toEqual([{ type: 'SimulationStarted', data: start }]);
    expect(given([queued, started, failedResumable, resumeQueued(1)]).when(admit)).toEqual([{ type: 'SimulationResumed', data: { simulationId: id, resumption: 1, reason: 'r' } }]);
    expect(given([queued, { type: 'SimulationCancelled', data: {} }]).when(admit)).toEqual([]);
    expect(given([queued, started]).when(admit)).toEqual([]);
    expect(given([queued, started, failedResumable, resumeQueued(1), { type: 'SimulationCancelled', data: {} }]).when(admit)).toEqual([]);
    expect(given([queued, started, failedResumable, resumeQueued(1), resumed(1)]).when(admit)).toEqual([]);
  });

  it('leaves other events of its streams alone', () => {
    expect(given([started, { type: 'SimulationReplayCompared', data: {} }]).when(cancel)).toHaveLength(1);
  });
});
