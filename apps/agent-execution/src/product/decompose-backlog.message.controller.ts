import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { BacklogDecomposed, BacklogDecompositionFailed, BacklogDecompositionRequested, EventData, backlogStream } from '@swe-sim/contracts';
import { ConcurrencyError, EventStore, NewEvent, StoredEvent, causedBy } from '@swe-sim/event-store';
import { LlmGateway } from '@swe-sim/llm-gateway';
import { EventStoreContext } from '@swe-sim/transport';
import { BACKLOG_JSON_SCHEMA, BacklogAnswer, backlogAnswerSchema, checkDecomposedBacklog } from './backlog-rules';
import { backlogMessages } from './backlog.prompt';

/** The product manager's LLM calls are stream llm-<projectId>-product-manager (one call, seq 0). */
export const PRODUCT_MANAGER_AGENT_ID = 'product-manager';

/**
 * The product-manager agent: decomposes a project into its backlog with one LLM call (structured
 * output, checked against the rules, one repair by the gateway), outside any subscription
 * transaction. The outcome is the single event of backlog-<projectId>: BacklogDecomposed, or
 * BacklogDecompositionFailed with the gateway's code, recorded, never a crash.
 */
@Controller()
export class DecomposeBacklogMessageController {
  constructor(
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(LlmGateway) private readonly llm: LlmGateway,
  ) {}

  @MessagePattern(BacklogDecompositionRequested.type)
  async decompose(@Payload() req: EventData<typeof BacklogDecompositionRequested>, @Ctx() ctx: EventStoreContext) {
    const stream = backlogStream(req.projectId);
    const [recorded] = await this.store.readStream(stream, { toVersion: 1 });
    if (recorded) return summary(recorded); // answered before (a re-run after a crash)
    const outcome = await this.outcome(req);
    const metadata = causedBy(ctx.getEvent(), 'agent-execution');
    try {
      const result = await this.store.append(stream, [outcome], { expectedVersion: 'no_stream', metadata });
      return summary(result.events[0]);
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
      const [first] = await this.store.readStream(stream, { toVersion: 1 });
      return summary(first);
    }
  }

  private async outcome(req: EventData<typeof BacklogDecompositionRequested>): Promise<NewEvent> {
    const failed = (code: string, reason: string, llm: { agentId: string; seq: number } | null): NewEvent => ({
      type: BacklogDecompositionFailed.type,
      data: { projectId: req.projectId, code, reason: reason.slice(0, 8_000), llm } satisfies EventData<typeof BacklogDecompositionFailed>,
    });
    const files: { path: string; content: string }[] = [];
    for (const f of req.acceptance.files) {
      const blob = await this.store.getBlob(f.hash);
      if (!blob) return failed('BACKLOG_INPUT_MISSING', `the acceptance test file ${f.path} (${f.hash}) is not in the blob table`, null);
      files.push({ path: f.path, content: blob.toString('utf8') });
    }
    const paths = files.map((f) => f.path);
    const llm = { agentId: PRODUCT_MANAGER_AGENT_ID, seq: 0 };
    const result = await this.llm.tryComplete(
      {
        model: req.model,
        messages: backlogMessages(req, files),
        structured: {
          name: 'backlog',
          jsonSchema: BACKLOG_JSON_SCHEMA,
          zod: backlogAnswerSchema,
          validate: (value) => checkDecomposedBacklog((value as BacklogAnswer).features, paths),
        },
      },
      { simulationId: req.projectId, agentId: llm.agentId, seq: llm.seq, role: 'product-manager' },
    );
    if (!result.ok) return failed(result.error.code, result.error.message, llm);
    // The gateway checked shape and rules; checked again here so that nothing else ever becomes a backlog.
    const parsed = backlogAnswerSchema.safeParse(result.response.parsed);
    const broken = parsed.success ? checkDecomposedBacklog(parsed.data.features, paths) : parsed.error.message;
    if (!parsed.success || broken) return failed('BACKLOG_RULES_BROKEN', broken ?? 'invalid backlog', llm);
    const data: EventData<typeof BacklogDecomposed> = { projectId: req.projectId, backlog: parsed.data.features, llm };
    return { type: BacklogDecomposed.type, data };
  }
}

function summary(e: StoredEvent) {
  const d = e.data as { backlog?: unknown[]; code?: string };
  return e.type === BacklogDecomposed.type ? { status: 'decomposed', features: d.backlog?.length ?? 0 } : { status: 'failed', code: d.code };
}
