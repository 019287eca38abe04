import { createHash } from 'node:crypto';
import { AGENT_ENDPOINT_MOUNT, AgentProgram } from '@swe-sim/contracts';
import { sh } from '../tasks/sandbox.port';
import { PromptContext } from '../tasks/task.prompts';
import { TaskState } from '../tasks/task.state';
import { FORWARDER_PORT } from './forwarders';

/** What the program finds in /run/swe-sim besides llm.sock and the forwarders. */
export const PROGRAM_FILES = { program: 'program', task: 'task.json', notes: 'notes.md' } as const;

/** The run's command is killed at its limit by `timeout` (exit 124); the sandbox's own limit is a little later. */
export const SANDBOX_GRACE_MS = 15_000;

/** The program's identity: its command, stack and files' hashes (a changed program is another request). */
export const programDigest = (p: AgentProgram) =>
  createHash('sha256')
    .update(JSON.stringify([p.command, p.stack, p.timeLimitMs, p.files.map((f) => [f.path, f.hash])]))
    .digest('hex');

/** The task as the program reads it (task.json). */
export function taskFile(s: TaskState, prompt: PromptContext, testCommand: string, run: number) {
  const task = s.task!;
  const f = prompt.feature;
  return {
    taskId: task.taskId,
    run,
    feature: { id: f.featureId, title: f.title, description: f.description, acceptanceCriteria: f.acceptanceCriteria, tests: f.tests },
    project: { name: prompt.project.name, stack: prompt.project.stack, files: prompt.project.files },
    worktree: `/workspace/${task.workdir}`,
    branch: task.branch,
    testCommand: `${testCommand} ${f.tests.join(' ')}`.trim(),
    budget: { turnsLeft: Math.max(0, task.budget.maxTurns - s.turns), tokensLeft: Math.max(0, task.budget.maxTokens - s.promptTokens - s.completionTokens) },
    notes: notesOf(s),
  };
}

/** What the partners said since the program last ran: review comments, failed integrations. */
export function notesOf(s: TaskState): string[] {
  return s.transcript.flatMap((e) => (e.kind === 'review' && !e.approved ? [`Review by ${e.reviewer}: ${e.comments}`] : e.kind === 'notice' ? [e.text] : []));
}

export const notesFile = (notes: string[]) => (notes.length ? `${notes.join('\n\n---\n\n')}\n` : '');

/**
 * The sandbox command of one run: in the feature's worktree, with the protocol's variables, the
 * forwarder in front (python3 or node, whichever the image has) and the program under `timeout`,
 * which kills its whole process group at the limit.
 */
export function programCommand(o: { workdir: string; program: AgentProgram; featureId: string; testCommand: string; run: number }): string {
  const env: Record<string, string> = {
    OPENAI_BASE_URL: `http://127.0.0.1:${FORWARDER_PORT}/v1`,
    OPENAI_API_KEY: 'swe-sim',
    SWE_SIM_DIR: AGENT_ENDPOINT_MOUNT,
    SWE_SIM_PROGRAM_DIR: `${AGENT_ENDPOINT_MOUNT}/${PROGRAM_FILES.program}`,
    SWE_SIM_TASK_FILE: `${AGENT_ENDPOINT_MOUNT}/${PROGRAM_FILES.task}`,
    SWE_SIM_NOTES_FILE: `${AGENT_ENDPOINT_MOUNT}/${PROGRAM_FILES.notes}`,
    SWE_SIM_FEATURE: o.featureId,
    SWE_SIM_TEST_COMMAND: o.testCommand,
    SWE_SIM_RUN: String(o.run),
    SWE_SIM_TIME_LIMIT_SECONDS: String(o.program.timeLimitMs / 1000),
    SWE_SIM_PROGRAM_SHA256: programDigest(o.program),
  };
  const variables = Object.entries(env)
    .map(([k, v]) => `export ${k}=${sh(v)}`)
    .join('; ');
  const forwarder = `if command -v python3 >/dev/null 2>&1; then set -- python3 ${AGENT_ENDPOINT_MOUNT}/forward.py; else set -- node ${AGENT_ENDPOINT_MOUNT}/forward.js; fi`;
  return `cd ${sh(o.workdir)} || exit 125; ${variables}; ${forwarder}; exec timeout -k 2 ${o.program.timeLimitMs / 1000}s "$@" /bin/sh -c ${sh(o.program.command)}`;
}
