import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { sha256Schema } from './common';

/**
 * Where an import is recorded: not the simulation's stream, whose events are the imported history
 * itself (a replay compares them), and with no simulationId in its metadata, so an export of the
 * imported simulation gives back the bundle it came from.
 */
export const importStream = (simulationId: string) => `import-${simulationId}`;

/**
 * A simulation's history (and its project's, when new here) brought in from a bundle
 * (POST /simulations/import), written in the same transaction as the events. The imported events
 * carry metadata.importedFrom and reach no handler; a service that must know of the simulation
 * (agent-execution, for replays and forks of it) learns of it from this event.
 */
export const SimulationImported = defineEvent({
  type: 'SimulationImported',
  version: 1,
  schema: z
    .object({
      simulationId: z.string().uuid(),
      projectId: z.string().uuid(),
      /** sha256 of the bundle's lines before its end line (the end line's `sha256`). */
      bundleSha256: sha256Schema,
      events: z.object({ project: z.number().int().nonnegative(), simulation: z.number().int().positive() }).strict(),
      blobs: z.number().int().nonnegative(),
      /** Whether the project's events were written now (false: this installation had them already). */
      projectImported: z.boolean(),
    })
    .strict(),
  streamOf: (d) => importStream(d.simulationId),
});

export const IMPORT_EVENTS = [SimulationImported];
