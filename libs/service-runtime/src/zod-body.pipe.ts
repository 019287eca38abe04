import { BadRequestException, PipeTransform } from '@nestjs/common';
import { z } from 'zod';

/** Validates a request body against a zod schema; a 400 names the first bad field. */
export class ZodBodyPipe<S extends z.ZodTypeAny> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    // An unknown field is named itself, not its parent object.
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    const field = path.join('.') || '(body)';
    const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `${field}: ${message}`, field });
  }
}
