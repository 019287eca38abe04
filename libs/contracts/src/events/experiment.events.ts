import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { modelSettingsSchema, personaRoleSchema, personaSchema, slugIdSchema } from './common';
import { simulationConfigSchema } from './simulation.events';

/**
 * Experiments (project-management): many simulations of the same work under different settings,
 * compared. An experiment's state at any position is the fold of its stream; its runs are ordinary
 * simulations whose ids are derived from (experiment, run, attempt).
 */
export const experimentStream = (experimentId: string) => `experiment-${experimentId}`;

const config = simulationConfigSchema.shape;

/** What a fork may change over a simulation's configuration: each part merged over the original's. */
export const simulationOverridesSchema = z
  .object({
    models: z.object({ default: modelSettingsSchema.optional(), byRole: z.record(personaRoleSchema, modelSettingsSchema).optional() }).strict().optional(),
    roster: z
      .array(personaSchema)
      .min(1)
      .max(200)
      .refine((r) => new Set(r.map((p) => p.personaId)).size === r.length, { message: 'personaIds must be unique' })
      .optional(),
    sprints: config.sprints.partial().strict().optional(),
    process: config.process.partial().strict().optional(),
    budgets: config.budgets.partial().strict().optional(),
  })
  .strict();
export type SimulationOverrides = z.infer<typeof simulationOverridesSchema>;

/** A variant: a fork's overrides plus the team shape. */
export const experimentVariantSchema = z
  .object({
    name: slugIdSchema,
    control: z.boolean().default(false),
    overrides: simulationOverridesSchema.extend({ teams: config.teams.optional(), teamSize: config.teamSize.optional() }).strict().default({}),
  })
  .strict();
export type ExperimentVariant = z.infer<typeof experimentVariantSchema>;

export const experimentDesignSchema = z.discriminatedUnion('type', [
  /** Paired: every variant runs every seed on every project (common random numbers). */
  z.object({ type: z.literal('seeds') }).strict(),
  /** Every run is a fork of one history at one position: the difference is only what the variant changes. */
  z.object({ type: z.literal('counterfactual'), from: z.string().uuid(), atPosition: z.number().int().positive() }).strict(),
]);
export type ExperimentDesign = z.infer<typeof experimentDesignSchema>;

export const experimentSettingsSchema = z
  .object({
    /** Runs of this experiment started and not ended at once (they still go through the run queue). */
    concurrency: z.number().int().min(1).max(500),
    /** Tokens (prompt + completion) of all ended attempts together, beyond which no new run starts. */
    tokenBudget: z.number().int().positive().nullable(),
    /** New attempts a run gets after infrastructure failures; past it the run is abandoned. */
    maxRetries: z.number().int().min(0).max(10),
  })
  .strict();
export type ExperimentSettings = z.infer<typeof experimentSettingsSchema>;

const seedSchema = z.number().int().min(0).max(2 ** 31 - 1);

export const ExperimentCreated = defineEvent({
  type: 'ExperimentCreated',
  version: 1,
  schema: z
    .object({
      experimentId: z.string().uuid(),
      name: z.string().min(1).max(200),
      /** Seeds design: the projects every variant and seed run on. Counterfactual: the original's project. */
      projectIds: z.array(z.string().uuid()).min(1),
      design: experimentDesignSchema,
      variants: z.array(experimentVariantSchema).min(1),
      seeds: z.array(seedSchema).min(1),
      settings: experimentSettingsSchema,
    })
    .strict(),
  streamOf: (d) => experimentStream(d.experimentId),
});

/** A run is one (variant, seed, project); an attempt of it is one simulation. */
const runRef = {
  experimentId: z.string().uuid(),
  runId: z.string().min(1).max(300),
  attempt: z.number().int().positive(),
  simulationId: z.string().uuid(),
};

export const ExperimentRunStarted = defineEvent({
  type: 'ExperimentRunStarted',
  version: 1,
  schema: z.object({ ...runRef, variant: slugIdSchema, seed: seedSchema, projectId: z.string().uuid() }).strict(),
  streamOf: (d) => experimentStream(d.experimentId),
});

/** The attempt's simulation failed resumable (infrastructure): resumed through POST /simulations/:id/resume's path. */
export const ExperimentRunResumed = defineEvent({
  type: 'ExperimentRunResumed',
  version: 1,
  schema: z.object({ ...runRef, resumption: z.number().int().positive(), code: z.string().min(1) }).strict(),
  streamOf: (d) => experimentStream(d.experimentId),
});

/** Per run, a number per metric (run-metrics.ts names them). */
export const runMetricsSchema = z.record(z.string(), z.number());

export const ExperimentRunEnded = defineEvent({
  type: 'ExperimentRunEnded',
  version: 1,
  schema: z
    .object({
      ...runRef,
      /**
       * completed / failed (by what the agents did): counted. retried: infrastructure failed it, a new
       * attempt follows. abandoned: infrastructure failed it past maxRetries. cancelled: not counted.
       */
      outcome: z.enum(['completed', 'failed', 'retried', 'abandoned', 'cancelled']),
      counted: z.boolean(),
      code: z.string().max(200).optional(),
      /** Tokens the attempt used (against the experiment's token budget). */
      tokens: z.number().int().nonnegative(),
      metrics: runMetricsSchema.optional(),
    })
    .strict(),
  streamOf: (d) => experimentStream(d.experimentId),
});

const controlSchema = z.object({ experimentId: z.string().uuid(), reason: z.string().max(2000) }).strict();

/** No new run starts; runs that run go on. */
export const ExperimentPaused = defineEvent({ type: 'ExperimentPaused', version: 1, schema: controlSchema, streamOf: (d) => experimentStream(d.experimentId) });
export const ExperimentResumed = defineEvent({ type: 'ExperimentResumed', version: 1, schema: controlSchema, streamOf: (d) => experimentStream(d.experimentId) });
/** No new run starts; running ones are cancelled and not counted. */
export const ExperimentCancelled = defineEvent({ type: 'ExperimentCancelled', version: 1, schema: controlSchema, streamOf: (d) => experimentStream(d.experimentId) });

/** More seeds or variants: only the new runs start; a completed experiment goes on. */
export const ExperimentExtended = defineEvent({
  type: 'ExperimentExtended',
  version: 1,
  schema: z.object({ experimentId: z.string().uuid(), seeds: z.array(seedSchema), variants: z.array(experimentVariantSchema) }).strict(),
  streamOf: (d) => experimentStream(d.experimentId),
});

/** Every run ended (until an extension). */
export const ExperimentCompleted = defineEvent({
  type: 'ExperimentCompleted',
  version: 1,
  schema: z.object({ experimentId: z.string().uuid(), runsCounted: z.number().int().nonnegative(), runsAbandoned: z.number().int().nonnegative() }).strict(),
  streamOf: (d) => experimentStream(d.experimentId),
});

export const EXPERIMENT_EVENTS = [
  ExperimentCreated,
  ExperimentRunStarted,
  ExperimentRunResumed,
  ExperimentRunEnded,
  ExperimentPaused,
  ExperimentResumed,
  ExperimentCancelled,
  ExperimentExtended,
  ExperimentCompleted,
];
