import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { modelSettingsSchema, personaRoleSchema, personaSchema, slugIdSchema } from './common';
import { acceptanceSuiteSchema, backlogItemSchema, projectFileSchema } from './project.events';
import { stackSchema } from './common';

/**
 * A simulation's lifecycle (project-management). SimulationStarted records everything that
 * decides the run — seed, the resolved roster and settings, and a snapshot of the project — so
 * the history alone replays it, whatever the defaults in the code later become.
 */
export const simulationStream = (simulationId: string) => `simulation-${simulationId}`;

export const simulationConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    teams: z.number().int().min(1).max(8),
    teamSize: z.number().int().min(1).max(8),
    /** The personas to staff teams from (the default roster when the user gave none). */
    roster: z.array(personaSchema).min(1).max(200),
    models: z
      .object({
        default: modelSettingsSchema.required({ model: true }),
        byRole: z.record(personaRoleSchema, modelSettingsSchema).default({}),
      })
      .strict(),
    sprints: z.object({ max: z.number().int().min(1).max(50), capacityPointsPerMember: z.number().int().min(1).max(100) }).strict(),
    process: z
      .object({
        pairing: z.boolean(),
        review: z.boolean(),
        /** Driver and navigator swap every this many driver turns. */
        swapEveryTurns: z.number().int().min(1).max(100),
        /** Planning poker: re-vote when max/min of the estimates exceeds this (at most maxRounds rounds). */
        pokerDivergenceRatio: z.number().min(1).max(21),
        pokerMaxRounds: z.number().int().min(1).max(5),
      })
      .strict(),
    budgets: z
      .object({
        maxTurnsPerTask: z.number().int().min(1).max(1000),
        maxTokens: z.number().int().min(1000).max(1e10),
        maxWallTimeMs: z.number().int().min(1000).max(30 * 24 * 3_600_000),
      })
      .strict(),
  })
  .strict();
export type SimulationConfig = z.infer<typeof simulationConfigSchema>;

export const projectSnapshotSchema = z
  .object({
    projectId: z.string().uuid(),
    name: z.string(),
    description: z.string(),
    stack: stackSchema,
    acceptance: acceptanceSuiteSchema,
    scaffold: z.array(projectFileSchema),
    backlog: z.array(backlogItemSchema).min(1),
  })
  .strict();
export type ProjectSnapshot = z.infer<typeof projectSnapshotSchema>;

export const SimulationStarted = defineEvent({
  type: 'SimulationStarted',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      project: projectSnapshotSchema,
      config: simulationConfigSchema,
      /**
       * Set for a fork: a re-execution of the original in which every LLM answer and sandbox result
       * the original had recorded by `atPosition` is taken from its recording (while the request is
       * the same), and everything after is live — with this simulation's config (the overrides).
       */
      forkOf: z.object({ simulationId: z.string().uuid(), atPosition: z.number().int().positive() }).strict().optional(),
      /**
       * Set for a replay: a re-execution of the original against its recorded LLM answers and
       * sandbox results only (no LLM call, no sandbox); a request the original did not make is a
       * divergence. Ends with SimulationReplayCompared.
       */
      replayOf: z.object({ simulationId: z.string().uuid() }).strict().optional(),
    })
    .strict(),
  streamOf: (d) => simulationStream(d.simulationId),
});

export const simulationMetricsSchema = z
  .object({
    featuresTotal: z.number().int().nonnegative(),
    featuresDone: z.number().int().nonnegative(),
    acceptanceTestsTotal: z.number().int().nonnegative(),
    acceptanceTestsPassed: z.number().int().nonnegative(),
    sprints: z.array(
      z.object({ sprint: z.number().int().positive(), committedPoints: z.number().int(), deliveredPoints: z.number().int() }).strict(),
    ),
    /** Per feature: the agreed estimate beside what it took. */
    estimation: z.array(
      z
        .object({ featureId: slugIdSchema, points: z.number().int(), turns: z.number().int(), tokens: z.number().int(), done: z.boolean() })
        .strict(),
    ),
    tokensByRole: z.record(z.string(), z.object({ prompt: z.number().int(), completion: z.number().int() }).strict()),
    llmTimeMs: z.number().nonnegative(),
    sandboxTimeMs: z.number().nonnegative(),
    wallTimeMs: z.number().nonnegative(),
  })
  .strict();
export type SimulationMetrics = z.infer<typeof simulationMetricsSchema>;

export const SimulationCompleted = defineEvent({
  type: 'SimulationCompleted',
  version: 1,
  schema: z.object({ simulationId: z.string().uuid(), metrics: simulationMetricsSchema }).strict(),
  streamOf: (d) => simulationStream(d.simulationId),
});

/** The code of a simulation stopped by infrastructure that stayed broken past the retries' bound. */
export const INFRASTRUCTURE_UNAVAILABLE = 'INFRASTRUCTURE_UNAVAILABLE';

export const SimulationFailed = defineEvent({
  type: 'SimulationFailed',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      code: z.string().min(1),
      reason: z.string().max(10_000),
      metrics: simulationMetricsSchema.optional(),
      /** Stopped by infrastructure, not by what the agents did: POST /simulations/:id/resume goes on. */
      resumable: z.boolean().optional(),
    })
    .strict(),
  streamOf: (d) => simulationStream(d.simulationId),
});

/**
 * A simulation that failed resumable (INFRASTRUCTURE_UNAVAILABLE) goes on: each service re-drives
 * the work it had suspended (agent-execution: its suspended tasks).
 */
export const SimulationResumed = defineEvent({
  type: 'SimulationResumed',
  version: 1,
  schema: z.object({ simulationId: z.string().uuid(), resumption: z.number().int().positive(), reason: z.string().max(2000) }).strict(),
  streamOf: (d) => simulationStream(d.simulationId),
});

export const SimulationCancelled = defineEvent({
  type: 'SimulationCancelled',
  version: 1,
  schema: z.object({ simulationId: z.string().uuid(), reason: z.string().max(2000) }).strict(),
  streamOf: (d) => simulationStream(d.simulationId),
});

/** Where a replay first differs from its original (positions and indexes are the original's). */
export const replayDivergenceSchema = z
  .object({
    /** The original's stream (the replay's has the replay's ids in its name). */
    streamId: z.string(),
    /** 0-based index of the event within that stream. */
    index: z.number().int().nonnegative(),
    /** The original's event there (null when the replay has an event the original does not). */
    expected: z.object({ type: z.string(), position: z.number().int().positive() }).strict().nullable(),
    /** The replay's event there (null when the replay has none). */
    actual: z.object({ type: z.string(), position: z.number().int().positive() }).strict().nullable(),
    /** Paths that differ, e.g. `data.outcome: recorded "done" vs now "abandoned"` (at most a few). */
    differences: z.array(z.string().max(2000)).max(20),
  })
  .strict();
export type ReplayDivergence = z.infer<typeof replayDivergenceSchema>;

/** The verdict of a replay (recorded in the replay's simulation stream when it ends). */
export const SimulationReplayCompared = defineEvent({
  type: 'SimulationReplayCompared',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      originalId: z.string().uuid(),
      identical: z.boolean(),
      /** What was compared: the streams the simulation's deciders write, and their events. */
      compared: z.object({ streams: z.number().int().nonnegative(), events: z.number().int().nonnegative() }).strict(),
      firstDivergence: replayDivergenceSchema.nullable(),
    })
    .strict(),
  streamOf: (d) => simulationStream(d.simulationId),
});

/**
 * Where a simulation waits for a slot (project-management runs at most SIMULATIONS_MAX_RUNNING at
 * once). Not the simulation stream: that one starts with SimulationStarted, which every service
 * reacts to, and a simulation's history is what decides it — waiting decides nothing, so these
 * events carry no simulationId in their metadata and are not part of its history.
 */
export const simulationQueueStream = (simulationId: string) => `simulation-queue-${simulationId}`;

/**
 * A request for a slot, recorded when it is made (POST …/simulations, replay, fork, resume):
 * `start` is the SimulationStarted to record when the simulation gets one (the seed and the whole
 * configuration are decided now, so the answer can name them), `resume` the SimulationResumed.
 * Exactly one of the two is set.
 */
export const SimulationQueued = defineEvent({
  type: 'SimulationQueued',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      /** For fairness: slots go to the project with the fewest running first. */
      projectId: z.string().uuid(),
      start: SimulationStarted.schema.optional(),
      resume: z.object({ resumption: z.number().int().positive(), reason: z.string().max(2000) }).strict().optional(),
    })
    .strict()
    .refine((d) => (d.start === undefined) !== (d.resume === undefined), { message: 'exactly one of start and resume' })
    .refine((d) => !d.start || d.start.simulationId === d.simulationId, { message: 'start is this simulation' }),
  streamOf: (d) => simulationQueueStream(d.simulationId),
});

export const SIMULATION_EVENTS = [SimulationStarted, SimulationCompleted, SimulationFailed, SimulationCancelled, SimulationResumed, SimulationReplayCompared, SimulationQueued];
