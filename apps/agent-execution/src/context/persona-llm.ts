import { ModelSettings, Persona, Sampling } from '@swe-sim/contracts';
import { SimulationContext } from './simulation-context.repository';

/** The model and sampling one persona uses: its own, over its role's, over the simulation's default. */
export function llmSettingsFor(sim: SimulationContext, persona: Persona): { model: string; sampling: Sampling } {
  const layers: (ModelSettings | undefined)[] = [sim.config.models.default, sim.config.models.byRole[persona.role], persona.llm];
  let model = sim.config.models.default.model!;
  let sampling: Sampling = {};
  for (const l of layers) {
    if (l?.model) model = l.model;
    if (l?.sampling) sampling = { ...sampling, ...l.sampling };
  }
  return { model, sampling };
}

export function personaOf(sim: SimulationContext, personaId: string): Persona {
  const persona = sim.config.roster.find((p) => p.personaId === personaId);
  if (!persona) throw new Error(`persona ${personaId} is not in simulation ${sim.simulationId}'s roster`);
  return persona;
}

/** How an agent introduces itself; stable text first (prefix caching on vLLM). */
export function personaBrief(p: Persona): string {
  const skills = Object.entries(p.skills)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, l]) => `${s} ${l}/5`)
    .join(', ');
  return `You are ${p.name}, a ${p.seniority} ${p.role}. Skills: ${skills}.${p.traits.length ? ` Traits: ${p.traits.join('; ')}.` : ''}`;
}
