import { BadRequestException } from '@nestjs/common';
import { Persona, Stack } from '@swe-sim/contracts';
import { EventStore, Queryable } from '@swe-sim/event-store';

/**
 * A roster's agent programs can run: their stack is the project's (the task's sandbox is the
 * project's image) and every file's blob is stored (a persona given by hand, not through
 * POST /agent-programs, may name bytes that were never uploaded). A 400 names the field
 * (`roster.2.program.files.0`). Nothing is read for a roster without programs.
 */
export async function checkProgramRoster(store: EventStore, roster: readonly Persona[], stack: Stack, field = 'roster', db?: Queryable): Promise<void> {
  const programs = roster.map((p, i) => ({ i, p })).filter(({ p }) => p.program);
  if (!programs.length) return;
  for (const { i, p } of programs) {
    if (p.program!.stack !== stack) {
      throw invalid(`${field}.${i}.program.stack`, `${p.personaId} needs a ${p.program!.stack} sandbox; the project's stack is ${stack}`);
    }
  }
  const missing = new Set(await store.missingBlobs(programs.flatMap(({ p }) => p.program!.files.map((f) => f.hash)), db));
  for (const { i, p } of programs) {
    const j = p.program!.files.findIndex((f) => missing.has(f.hash));
    if (j >= 0) {
      const f = p.program!.files[j];
      throw invalid(`${field}.${i}.program.files.${j}`, `${p.personaId}'s file ${f.path} (blob ${f.hash}) is not stored: register the program with POST /agent-programs`);
    }
  }
}

const invalid = (field: string, message: string) => new BadRequestException({ code: 'VALIDATION_FAILED', message: `${field}: ${message}`, field });
