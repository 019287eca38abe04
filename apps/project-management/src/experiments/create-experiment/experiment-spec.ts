import { z } from 'zod';
import { experimentDesignSchema, experimentVariantSchema } from '@swe-sim/contracts';

const seedSchema = z.number().int().min(0).max(2 ** 31 - 1);
export const MAX_RUNS = 2000;

/** The variants of an experiment (or an extension): names unique. */
export const variantsSchema = z
  .array(experimentVariantSchema)
  .max(50)
  .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, { message: 'variant names must be unique' });
export const seedsSchema = z
  .array(seedSchema)
  .min(1)
  .max(1000)
  .refine((s) => new Set(s).size === s.length, { message: 'seeds must be unique' });

/**
 * POST /experiments. `seeds` (a list) or `repetitions` (seeds 1..n); the seeds design runs every
 * variant on every seed and project, the counterfactual design forks `design.from` at
 * `design.atPosition` for every variant and seed.
 */
export const createExperimentBodySchema = z
  .object({
    name: z.string().min(1).max(200),
    variants: variantsSchema.refine((vs) => vs.length >= 1, { message: 'give at least one variant' }).refine((vs) => vs.filter((v) => v.control).length === 1, {
      message: 'exactly one variant must be the control (control: true)',
    }),
    projects: z.array(z.string().uuid()).min(1).max(20).optional(),
    design: experimentDesignSchema.default({ type: 'seeds' }),
    seeds: seedsSchema.optional(),
    repetitions: z.number().int().min(1).max(1000).optional(),
    concurrency: z.number().int().min(1).max(500).default(4),
    tokenBudget: z.number().int().positive().optional(),
    maxRetries: z.number().int().min(0).max(10).default(2),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.seeds === undefined) === (b.repetitions === undefined)) ctx.addIssue({ code: 'custom', path: ['seeds'], message: 'give either seeds or repetitions' });
    if (b.design.type === 'seeds' && !b.projects) ctx.addIssue({ code: 'custom', path: ['projects'], message: 'the seeds design needs projects' });
    if (b.design.type === 'counterfactual' && b.projects) ctx.addIssue({ code: 'custom', path: ['projects'], message: "a counterfactual experiment runs on its original's project" });
    const runs = b.variants.length * (b.seeds?.length ?? b.repetitions ?? 0) * (b.projects?.length ?? 1);
    if (runs > MAX_RUNS) ctx.addIssue({ code: 'custom', path: ['seeds'], message: `${runs} runs: at most ${MAX_RUNS}` });
  });
export type CreateExperimentBody = z.output<typeof createExperimentBodySchema>;

export const seedsOf = (b: Pick<CreateExperimentBody, 'seeds' | 'repetitions'>) => b.seeds ?? Array.from({ length: b.repetitions! }, (_, i) => i + 1);
