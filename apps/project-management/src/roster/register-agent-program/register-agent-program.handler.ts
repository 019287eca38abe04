import { BadRequestException, Injectable } from '@nestjs/common';
import { Persona } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { PersonaRegistration } from '../persona-registration';
import { MAX_PROGRAM_BYTES, RegisterAgentProgramBody, bytesOf } from './agent-program-body';

/** An agent program becomes a persona with a `program`: its files stored as blobs first (content-addressed, so a refusal leaves only unreferenced bytes). */
@Injectable()
export class RegisterAgentProgramHandler {
  constructor(
    private readonly store: EventStore,
    private readonly registration: PersonaRegistration,
  ) {}

  async execute(body: RegisterAgentProgramBody) {
    const { files, command, stack, timeLimitSeconds, ...fields } = body;
    const contents = files.map((f) => ({ path: f.path, bytes: bytesOf(f) }));
    const total = contents.reduce((n, f) => n + f.bytes.length, 0);
    if (total > MAX_PROGRAM_BYTES) {
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `files: ${total} bytes in all, over ${MAX_PROGRAM_BYTES}`, field: 'files' });
    }
    const refs = await Promise.all(contents.map(async (f) => ({ path: f.path, hash: await this.store.putBlob(f.bytes), size: f.bytes.length })));
    const persona: Persona = { ...fields, program: { files: refs, command, stack, timeLimitMs: timeLimitSeconds * 1000 } };
    const registered = await this.registration.register(persona);
    return { ...registered, persona };
  }
}
