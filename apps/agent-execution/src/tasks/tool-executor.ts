import { posix } from 'node:path';
import { z } from 'zod';
import { EventData, ToolCallCompleted } from '@swe-sim/contracts';
import { RequestKeys } from './request-keys';
import { SandboxPort, describeCommand, sh } from './sandbox.port';
import { isInfrastructureCode } from './infrastructure-fault';

type ToolCall = { id: string; name: string; arguments: string };
type Result = Omit<EventData<typeof ToolCallCompleted>, 'taskId' | 'turn' | 'durationMs'>;

const ARGS = {
  write_file: z.object({ path: z.string().min(1), content: z.string().max(128 * 1024) }),
  read_file: z.object({ path: z.string().min(1) }),
  list_files: z.object({ path: z.string().optional() }),
  run_command: z.object({ command: z.string().min(1).max(10_000), timeout_seconds: z.number().int().min(1).max(300).optional() }),
  run_tests: z.object({}).passthrough(),
  finish: z.object({ summary: z.string().max(4000).optional() }).passthrough(),
};
type ToolName = keyof typeof ARGS;

export class ToolInputError extends Error {}

/** A path the agent gave, inside its working tree; anything that leaves it is refused. */
export function treePath(workdir: string, p: string): string {
  if (p.includes('\0') || p.startsWith('/') || p.startsWith('~')) throw new ToolInputError(`path ${JSON.stringify(p)} must be relative to the repository root`);
  const normal = posix.normalize(p.replace(/\\/g, '/'));
  if (normal === '..' || normal.startsWith('../')) throw new ToolInputError(`path ${JSON.stringify(p)} leaves the repository`);
  return posix.join(workdir, normal);
}

export interface ToolSettings {
  workdir: string;
  testCommand: string;
  tests: string[];
  allowed: readonly string[];
}

/**
 * Runs one tool call in the task's sandbox and says what happened in words the agent reads.
 * Bad input (unknown tool, invalid arguments, a path out of the tree) is a failed tool result,
 * never an exception: the agent reads it and goes on.
 */
export async function executeTool(port: SandboxPort, sandboxId: string, call: ToolCall, settings: ToolSettings, keys: RequestKeys): Promise<Result> {
  const base = { toolCallId: call.id, name: call.name };
  if (!settings.allowed.includes(call.name)) {
    return { ...base, ok: false, output: `unknown tool "${call.name}"; available: ${settings.allowed.join(', ')}` };
  }
  let args: unknown;
  try {
    args = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch {
    return { ...base, ok: false, output: `the arguments of ${call.name} are not valid JSON: ${call.arguments.slice(0, 200)}` };
  }
  const parsed = ARGS[call.name as ToolName].safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ...base, ok: false, output: `invalid arguments for ${call.name}: ${issue.path.join('.') || '(arguments)'}: ${issue.message}` };
  }
  const a = parsed.data as Record<string, string | undefined>;
  const id = (part: string) => keys.ids(part);
  try {
    switch (call.name as ToolName) {
      case 'write_file': {
        const r = await port.write(id('write'), sandboxId, treePath(settings.workdir, a.path!), { content: a.content! });
        return { ...base, ok: true, output: `wrote ${a.path} (${r.size} bytes)` };
      }
      case 'read_file': {
        const r = await port.read(id('read'), sandboxId, treePath(settings.workdir, a.path!));
        const text = r.encoding === 'base64' ? '(binary file)' : (r.content ?? `(${r.size} bytes, too large to show)`);
        return { ...base, ok: true, output: text.length > 16_000 ? `${text.slice(0, 16_000)}\n… (${text.length - 16_000} more characters)` : text };
      }
      case 'list_files': {
        const where = a.path ? sh(treePath('.', a.path)) : '.';
        const r = await port.run(id('list'), sandboxId, `cd ${sh(settings.workdir)} && git ls-files -co --exclude-standard -- ${where} | head -300`, 30_000);
        return { ...base, ok: r.exitCode === 0, output: r.exitCode === 0 ? r.stdout || '(no files)' : describeCommand(r) };
      }
      case 'run_command': {
        const seconds = (parsed.data as { timeout_seconds?: number }).timeout_seconds ?? 60;
        const r = await port.run(id('command'), sandboxId, `cd ${sh(settings.workdir)} && ${a.command}`, seconds * 1000);
        return { ...base, ok: r.exitCode === 0, output: describeCommand(r) };
      }
      case 'run_tests': {
        const r = await port.run(id('tests'), sandboxId, `cd ${sh(settings.workdir)} && ${settings.testCommand} ${settings.tests.map(sh).join(' ')}`, 120_000);
        const passed = r.exitCode === 0;
        return { ...base, ok: true, testsPassed: passed, output: `${passed ? 'TESTS PASSED' : 'TESTS FAILED'}\n${describeCommand(r, 12_000)}` };
      }
      case 'finish':
        return { ...base, ok: true, output: `finish: ${a.summary ?? ''}`.trim() };
    }
  } catch (err) {
    if (err instanceof ToolInputError) return { ...base, ok: false, output: err.message };
    const code = (err as { code?: unknown }).code;
    // A refusal (a path out of the workspace, a missing file…) is the agent's to read; a lost
    // sandbox, a Docker error or a dead service is the runner's to retry.
    if (typeof code === 'string' && code.startsWith('SANDBOX_') && !isInfrastructureCode(code)) {
      return { ...base, ok: false, output: `${call.name} failed (${code}): ${(err as Error).message}` };
    }
    throw err;
  }
}
