import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { personaSchema } from './common';

/** A persona added to the roster (POST /roster); one stream per persona, so an id is registered once. */
export const personaStream = (personaId: string) => `persona-${personaId}`;

export const PersonaRegistered = defineEvent({
  type: 'PersonaRegistered',
  version: 1,
  schema: z.object({ persona: personaSchema }).strict(),
  streamOf: (d) => personaStream(d.persona.personaId),
});

export const ROSTER_EVENTS = [PersonaRegistered];
