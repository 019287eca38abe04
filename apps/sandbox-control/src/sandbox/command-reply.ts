import { CommandExecuted, CommandReply, EventData } from '@swe-sim/contracts';
import { inlineOutput, REPLY_INLINE_OUTPUT_BYTES } from './output-inline';

/**
 * A command's reply from its CommandExecuted and its whole captured output (inline in the event,
 * or read back from the blob table): the same answer right after the run and from the record.
 */
export function commandReplyOf(
  executed: EventData<typeof CommandExecuted>,
  output: { stdout: string; stderr: string },
  changedFiles: number,
): CommandReply {
  return {
    sandboxId: executed.sandboxId,
    exitCode: executed.exitCode,
    stdout: inlineOutput(output.stdout, REPLY_INLINE_OUTPUT_BYTES, executed.stdoutHash),
    stderr: inlineOutput(output.stderr, REPLY_INLINE_OUTPUT_BYTES, executed.stderrHash),
    ...(executed.stdoutHash ? { stdoutHash: executed.stdoutHash } : {}),
    ...(executed.stderrHash ? { stderrHash: executed.stderrHash } : {}),
    truncated: executed.truncated,
    durationMs: executed.durationMs,
    timedOut: executed.timedOut,
    oomKilled: executed.oomKilled,
    pidsLimitHit: executed.pidsLimitHit,
    changedFiles,
  };
}
