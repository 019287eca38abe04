import { z } from 'zod';
import { Persona, SimulationConfig, modelSettingsSchema, personaRoleSchema, personaSchema } from '@swe-sim/contracts';

/** What a user may set when starting a simulation; everything has a default. */
export const startSimulationBodySchema = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    teams: z.number().int().min(1).max(8).default(1),
    teamSize: z.number().int().min(1).max(8).default(3),
    roster: z.array(personaSchema).min(1).max(200).optional(),
    models: z
      .object({ default: modelSettingsSchema.optional(), byRole: z.record(personaRoleSchema, modelSettingsSchema).optional() })
      .strict()
      .default({}),
    sprints: z
      .object({ max: z.number().int().min(1).max(50).default(3), capacityPointsPerMember: z.number().int().min(1).max(100).default(8) })
      .strict()
      .default({}),
    process: z
      .object({
        pairing: z.boolean().default(true),
        review: z.boolean().default(true),
        swapEveryTurns: z.number().int().min(1).max(100).default(4),
        pokerDivergenceRatio: z.number().min(1).max(21).default(2.5),
        pokerMaxRounds: z.number().int().min(1).max(5).default(2),
      })
      .strict()
      .default({}),
    budgets: z
      .object({
        maxTurnsPerTask: z.number().int().min(1).max(1000).default(30),
        maxTokens: z.number().int().min(1000).max(1e10).default(2_000_000),
        maxWallTimeMs: z.number().int().min(1000).max(30 * 24 * 3_600_000).default(3_600_000),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine((b) => !b.roster || new Set(b.roster.map((p) => p.personaId)).size === b.roster.length, {
    message: 'personaIds must be unique',
    path: ['roster'],
  });
export type StartSimulationBody = z.input<typeof startSimulationBodySchema>;

/**
 * The full configuration recorded in SimulationStarted: the user's choices over the defaults,
 * the roster resolved, and the seed drawn when none was given (so the history alone replays it).
 */
export function resolveSimulationConfig(
  body: z.output<typeof startSimulationBodySchema>,
  defaults: { model: string; roster: readonly Persona[]; seed: () => number },
): SimulationConfig {
  return {
    seed: body.seed ?? defaults.seed(),
    teams: body.teams,
    teamSize: body.teamSize,
    roster: body.roster ?? [...defaults.roster],
    models: { default: { ...body.models.default, model: body.models.default?.model ?? defaults.model }, byRole: body.models.byRole ?? {} },
    sprints: body.sprints,
    process: body.process,
    budgets: body.budgets,
  };
}
