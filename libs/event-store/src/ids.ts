import { uuidV5 } from '@swe-sim/contracts';

/** uuidV5 lives with the contracts (some derived event ids are part of them); re-exported where it always was. */
export { uuidV5 };

/** The id derived from the parts of a name (joined unambiguously). */
export const derivedId = (...parts: Array<string | number>) => uuidV5(parts.join('\u0000'));

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
