import { ConflictException, Injectable } from '@nestjs/common';
import { DEFAULT_ROSTER, Persona, PersonaRegistered, personaStream } from '@swe-sim/contracts';
import { ConcurrencyError, EventStore } from '@swe-sim/event-store';

/** Records a persona (built-in or agent program) once per id: PersonaRegistered in its own stream, 409 when taken. */
@Injectable()
export class PersonaRegistration {
  constructor(private readonly store: EventStore) {}

  async register(persona: Persona): Promise<{ personaId: string; position: number }> {
    if (DEFAULT_ROSTER.some((p) => p.personaId === persona.personaId)) {
      throw new ConflictException({ code: 'PERSONA_EXISTS', message: `${persona.personaId} is in the default roster` });
    }
    try {
      const r = await this.store.append(personaStream(persona.personaId), [{ type: PersonaRegistered.type, data: { persona } }], {
        expectedVersion: 'no_stream',
        metadata: { actor: 'api' },
      });
      return { personaId: persona.personaId, position: r.events[0].globalPosition };
    } catch (err) {
      if (err instanceof ConcurrencyError) throw new ConflictException({ code: 'PERSONA_EXISTS', message: `${persona.personaId} is already registered` });
      throw err;
    }
  }
}
