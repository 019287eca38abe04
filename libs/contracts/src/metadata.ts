import { z } from 'zod';

/** Metadata every stored event carries. Who caused what is answerable from any event. */
export const eventMetadataSchema = z
  .object({
    simulationId: z.string().uuid().nullable(),
    correlationId: z.string().min(1),
    causationId: z.string().min(1).nullable(),
    actor: z.string().min(1),
    recordedAt: z.string().datetime(),
  })
  .strict();

export type EventMetadata = z.infer<typeof eventMetadataSchema>;
