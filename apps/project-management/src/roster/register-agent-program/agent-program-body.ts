import { z } from 'zod';
import { personaSchema, projectFilePathSchema, stackSchema } from '@swe-sim/contracts';

/** All of a program's files together: they are written into every one of its sandboxes. */
export const MAX_PROGRAM_BYTES = 8 * 1024 * 1024;

const programFileSchema = z
  .object({
    path: projectFilePathSchema,
    /** UTF-8 text, or `base64` for any bytes (a bundle, a binary). */
    content: z.string().max(MAX_PROGRAM_BYTES).optional(),
    base64: z.string().max(Math.ceil((MAX_PROGRAM_BYTES * 4) / 3) + 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64').optional(),
  })
  .strict()
  .refine((f) => (f.content === undefined) !== (f.base64 === undefined), { message: 'give exactly one of content and base64' });

/** POST /agent-programs: a persona's fields, and the program — its files, its command, its stack and its time limit. */
export const registerAgentProgramBodySchema = personaSchema
  .omit({ program: true })
  .extend({
    files: z
      .array(programFileSchema)
      .min(1)
      .max(200)
      .refine((files) => new Set(files.map((f) => f.path)).size === files.length, { message: 'paths must be unique' }),
    /** Runs under /bin/sh in the feature's worktree; the files are in $SWE_SIM_PROGRAM_DIR. */
    command: z.string().min(1).max(10_000),
    stack: stackSchema,
    timeLimitSeconds: z.number().int().min(1).max(3_600).default(300),
  })
  .strict();
export type RegisterAgentProgramBody = z.output<typeof registerAgentProgramBodySchema>;

/** The bytes of a file as given. */
export const bytesOf = (f: RegisterAgentProgramBody['files'][number]) => (f.base64 !== undefined ? Buffer.from(f.base64, 'base64') : Buffer.from(f.content!, 'utf8'));
