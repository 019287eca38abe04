import { BadRequestException, PipeTransform } from '@nestjs/common';
import { z } from 'zod';

/** A 400 VALIDATION_FAILED naming the first bad field of a zod result (an unknown field names itself). */
export function validationError(error: z.ZodError, root: string, prefix = ''): BadRequestException {
  const issue = error.issues[0];
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const field = prefix + (path.join('.') || root);
  const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  return new BadRequestException({ code: 'VALIDATION_FAILED', message: `${field}: ${message}`, field });
}

/** NUL and lone surrogates parse as JSON but cannot be stored as Postgres text or jsonb. */
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** The path of the first string (or key) that Postgres cannot store, or null. */
function unstorablePath(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = unstorablePath(value[i], [...path, String(i)]);
      if (p) return p;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (UNSTORABLE.test(k)) return [...path, k];
      const p = unstorablePath(v, [...path, k]);
      if (p) return p;
    }
  }
  return null;
}

/** Validates a request body against a zod schema; a 400 names the first bad field. */
export class ZodBodyPipe<S extends z.ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const bad = unstorablePath(value);
    if (bad) {
      const field = bad.join('.') || '(body)';
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `${field}: contains NUL or an unpaired surrogate`, field });
    }
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw validationError(result.error, '(body)');
  }
}

/** Validates the query string (use with `@Query()`); unknown parameters are refused, naming them. */
export class ZodQueryPipe<S extends z.ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw validationError(result.error, '(query)');
  }
}
