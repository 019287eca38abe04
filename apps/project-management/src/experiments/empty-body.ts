import { z } from 'zod';

/** The body of a POST that takes none: `{}` (anything in it is refused, naming the field). */
export const emptyBodySchema = z.object({}).strict();
