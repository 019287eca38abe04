import { SetMetadata } from '@nestjs/common';
import { Scope } from './api-keys.repository';

export const REQUIRED_SCOPE = 'swe-sim:required-scope';

/** The scope a route needs (a route without one needs `admin`; `@Public()` routes need no key). */
export const Authenticated = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);
