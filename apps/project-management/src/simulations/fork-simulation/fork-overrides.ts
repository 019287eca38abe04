import { z } from 'zod';
import { ModelSettings, SimulationConfig, simulationOverridesSchema } from '@swe-sim/contracts';

/** What a fork may change: each part is merged over the original's (sampling parameter by parameter). */
export const forkOverridesSchema = simulationOverridesSchema;
/** An experiment's variant may also change the team shape. */
export type ForkOverrides = z.infer<typeof forkOverridesSchema> & { teams?: number; teamSize?: number };

export const forkBodySchema = z
  .object({
    /** The last position of the original's history the fork shares (GET /simulations/{id}/events gives positions). */
    atPosition: z.number().int().positive(),
    overrides: forkOverridesSchema.default({}),
  })
  .strict();

/** The original's configuration with the overrides over it; the seed stays (the shared prefix depends on it). */
export function forkConfig(original: SimulationConfig, o: ForkOverrides): SimulationConfig {
  const byRole = { ...original.models.byRole };
  for (const [role, settings] of Object.entries(o.models?.byRole ?? {})) byRole[role as keyof typeof byRole] = over(byRole[role as keyof typeof byRole], settings);
  return {
    ...original,
    teams: o.teams ?? original.teams,
    teamSize: o.teamSize ?? original.teamSize,
    roster: o.roster ?? original.roster,
    models: { default: { ...over(original.models.default, o.models?.default), model: o.models?.default?.model ?? original.models.default.model }, byRole },
    sprints: { ...original.sprints, ...o.sprints },
    process: { ...original.process, ...o.process },
    budgets: { ...original.budgets, ...o.budgets },
  };
}

function over(base: ModelSettings | undefined, top: ModelSettings | undefined): ModelSettings {
  const merged: ModelSettings = { ...base, ...top };
  if (base?.sampling || top?.sampling) merged.sampling = { ...base?.sampling, ...top?.sampling };
  return merged;
}
