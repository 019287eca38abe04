import { z } from 'zod';

/** Metadata every stored event carries. Who caused what is answerable from any event. */
export const eventMetadataSchema = z
  .object({
    simulationId: z.string().uuid().nullable(),
    correlationId: z.string().min(1),
    causationId: z.string().min(1).nullable(),
    actor: z.string().min(1),
    recordedAt: z.string().datetime(),
    /**
     * Set on an event brought in by POST /simulations/import: the sha256 of the bundle it came in.
     * It happened elsewhere, so no handler runs on it again (the transport hands it to none).
     */
    importedFrom: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();

export type EventMetadata = z.infer<typeof eventMetadataSchema>;
