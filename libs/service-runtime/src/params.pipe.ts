import { ArgumentMetadata, BadRequestException, PipeTransform } from '@nestjs/common';
import { UUID_RE } from '@swe-sim/event-store';

/** A path parameter that must be a UUID; a 400 VALIDATION_FAILED names the parameter. */
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, meta: ArgumentMetadata): string {
    if (typeof value === 'string' && UUID_RE.test(value)) return value.toLowerCase();
    const field = meta.data ?? 'id';
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `${field}: must be a UUID`, field });
  }
}
