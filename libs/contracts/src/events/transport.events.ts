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
