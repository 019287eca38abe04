import { z } from 'zod';
import { defineEvent } from '../event-definition';

/** Request/response through the store: a request event opens stream rpc-<id>, this event closes it. */
export const rpcStream = (requestId: string) => `rpc-${requestId}`;

export const RpcReplied = defineEvent({
  type: 'RpcReplied',
  version: 1,
  schema: z
    .object({
      requestId: z.string().uuid(),
      pattern: z.string().min(1),
      ok: z.boolean(),
      response: z.unknown().optional(),
      error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
    })
    .strict(),
  streamOf: (d) => rpcStream(d.requestId),
});

/**
 * A service gave up on an event: its handler failed `attempts` times and the event was parked as
 * a dead letter (subscription_dead_letters), so the service's subscription could move on. Recorded
 * with the parked event's simulation, so whatever waited for that handler's effect learns it will
 * not come (project-management fails the simulation, naming the service and the error).
 */
export const deadLetterStream = (subscription: string, eventId: string) => `dead-letter-${subscription}-${eventId}`;

export const EventDeadLettered = defineEvent({
  type: 'EventDeadLettered',
  version: 1,
  schema: z
    .object({
      subscription: z.string().min(1),
      eventId: z.string().uuid(),
      type: z.string().min(1),
      attempts: z.number().int().positive(),
      error: z.string().max(4000),
    })
    .strict(),
  streamOf: (d) => deadLetterStream(d.subscription, d.eventId),
});
