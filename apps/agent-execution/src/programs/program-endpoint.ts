import { chmod, unlink } from 'node:fs/promises';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { Sampling } from '@swe-sim/contracts';
import { LlmRequest, LlmResult } from '@swe-sim/llm-gateway';
import { isInfrastructureCode } from '../tasks/infrastructure-fault';
import { WireError, chatCompletionOf, llmRequestOf, openAiError } from './openai-wire';

/** One call answered at a time per program, a few more waiting; beyond that 429 (a flood cannot queue without bound). */
export const ENDPOINT_LIMITS = { inFlight: 1, waiting: 4, bodyBytes: 4 * 1024 * 1024 } as const;

export interface ProgramEndpointOptions {
  socketPath: string;
  settings: { model: string; sampling: Sampling };
  /** What is left of the task's budget when the run starts. */
  budget: { turns: number; tokens: number };
  /** The gateway call: `seq` numbers the run's calls from 0 in the order they are answered. */
  complete(request: LlmRequest, seq: number): Promise<LlmResult>;
  /** The OpenAI id of a call's answer. */
  callId(seq: number): string;
}

/**
 * The OpenAI-compatible endpoint of one program run, on a Unix socket in the sandbox's folder
 * (the sandbox reaches it through the forwarder on its loopback). Every call goes through the
 * gateway, in order, against the task's budget; streaming is refused.
 */
export class ProgramEndpoint {
  calls = 0;
  tokens = 0;
  /** Calls refused: over the budget, beyond the queue. */
  refused = { budget: 0, rate: 0 };
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly server: Server;
  /** Requests being handled: close() waits for them, so every call the run made is recorded before it is counted. */
  private readonly handling = new Set<Promise<void>>();
  private closing = false;

  constructor(private readonly options: ProgramEndpointOptions) {
    this.server = createServer((req, res) => {
      const handled = this.handle(req, res)
        .catch((err: Error) => send(res, 500, openAiError('internal_error', err.message, 'server_error')))
        .finally(() => this.handling.delete(handled));
      this.handling.add(handled);
    });
  }

  async open(): Promise<void> {
    await unlink(this.options.socketPath).catch(() => undefined); // a crashed run's socket
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.socketPath, () => resolve());
    });
    // The program runs as the sandbox user: connecting needs write permission on the socket.
    await chmod(this.options.socketPath, 0o666);
  }

  /**
   * After the program has exited (or was killed): no new call goes to the gateway, and a call under
   * way is let finish (the gateway bounds it), so what the run is counted as is all it did.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.server.closeAllConnections();
    await Promise.all([...this.handling]);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await unlink(this.options.socketPath).catch(() => undefined);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0].replace(/^\/v1/, '');
    if (req.method === 'GET' && path === '/models') {
      return send(res, 200, { object: 'list', data: [{ id: this.options.settings.model, object: 'model', owned_by: 'swe-sim' }] });
    }
    if (req.method !== 'POST' || path !== '/chat/completions') {
      return send(res, 404, openAiError('not_found', `${req.method} ${req.url}: only POST /v1/chat/completions and GET /v1/models are served`, 'invalid_request_error'));
    }
    const text = await readBody(req);
    if (text === null) return send(res, 413, openAiError('body_too_large', `the body is over ${ENDPOINT_LIMITS.bodyBytes} bytes`, 'invalid_request_error'));
    let request: LlmRequest;
    try {
      request = llmRequestOf(JSON.parse(text), this.options.settings);
    } catch (err) {
      if (err instanceof SyntaxError) return send(res, 400, openAiError('invalid_json', `the body is not JSON: ${err.message}`, 'invalid_request_error'));
      if (err instanceof WireError) return send(res, 400, openAiError(err.code, err.message, 'invalid_request_error', err.param));
      throw err;
    }
    if (this.inFlight >= ENDPOINT_LIMITS.inFlight && this.waiting.length >= ENDPOINT_LIMITS.waiting) {
      this.refused.rate++;
      res.setHeader('retry-after', '1');
      return send(res, 429, openAiError('rate_limited', `${ENDPOINT_LIMITS.inFlight} call in flight and ${ENDPOINT_LIMITS.waiting} waiting: wait for an answer`, 'rate_limit_error'));
    }
    await this.slot();
    try {
      if (this.closing) return send(res, 503, openAiError('run_ended', 'the run has ended', 'server_error'));
      // Checked when the call's turn comes: the calls before it have been counted.
      const { budget } = this.options;
      if (this.calls >= budget.turns || this.tokens >= budget.tokens) {
        this.refused.budget++;
        const message = `the task's budget is used: ${this.calls} of ${budget.turns} turns, ${this.tokens} of ${budget.tokens} tokens left at the start of this run`;
        return send(res, 400, openAiError('budget_exhausted', message, 'invalid_request_error'));
      }
      const seq = this.calls++;
      const result = await this.options.complete(request, seq);
      if (!result.ok) {
        const status = isInfrastructureCode(result.error.code) ? 503 : 500;
        return send(res, status, openAiError(result.error.code.toLowerCase(), result.error.message, 'server_error'));
      }
      this.tokens += result.response.usage.promptTokens + result.response.usage.completionTokens;
      return send(res, 200, chatCompletionOf(result.response, this.options.callId(seq)));
    } finally {
      this.release();
    }
  }

  private slot(): Promise<void> {
    if (this.inFlight < ENDPOINT_LIMITS.inFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve)); // the slot passes on in release()
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The body as text, or null past the limit. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > ENDPOINT_LIMITS.bodyBytes) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
