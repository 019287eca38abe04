import { BacklogItem, Persona } from '@swe-sim/contracts';
import { ChatMessage, ToolDefinition } from '@swe-sim/llm-gateway';
import { personaBrief } from '../context/persona-llm';
import { TaskState } from './task.state';

const obj = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', properties, required, additionalProperties: false });
const path = { type: 'string', description: 'path relative to the repository root' };

export const DRIVER_TOOLS: ToolDefinition[] = [
  { name: 'write_file', description: 'Create or replace a file.', parameters: obj({ path, content: { type: 'string' } }, ['path', 'content']) },
  { name: 'read_file', description: 'Read a file.', parameters: obj({ path }, ['path']) },
  { name: 'list_files', description: 'List the files of the repository (or of a folder).', parameters: obj({ path }, []) },
  {
    name: 'run_command',
    description: 'Run a shell command in your working tree (no network; killed after timeout_seconds, default 60).',
    parameters: obj({ command: { type: 'string' }, timeout_seconds: { type: 'integer', minimum: 1, maximum: 300 } }, ['command']),
  },
  { name: 'run_tests', description: "Run this feature's acceptance tests.", parameters: obj({}, []) },
  { name: 'finish', description: 'Declare the feature done (the tests pass); it goes to review and is merged.', parameters: obj({ summary: { type: 'string' } }, ['summary']) },
];

export const NAVIGATOR_TOOLS: ToolDefinition[] = DRIVER_TOOLS.filter((t) => t.name === 'read_file' || t.name === 'list_files');

export interface PromptContext {
  project: { name: string; stack: string; files: string[] };
  feature: BacklogItem;
  personas: Record<string, Persona>;
}

const nameOf = (ctx: PromptContext, id: string) => ctx.personas[id]?.name ?? id;

/**
 * The messages for one agent's turn, built only from the task's state (its events): the same
 * history gives the same prompt, which is what replay relies on. The stable part (persona, rules,
 * feature) comes first for the server's prefix cache.
 */
export function turnMessages(s: TaskState, speaker: string, role: 'driver' | 'navigator', ctx: PromptContext): ChatMessage[] {
  const persona = ctx.personas[speaker];
  const partner = role === 'driver' ? s.navigator : s.driver;
  const f = ctx.feature;
  const roleText =
    role === 'driver'
      ? `You are the driver: you write the code and run the tests with your tools.${partner ? ` ${nameOf(ctx, partner)} is your navigator: they plan and review.` : ' You work alone.'}` +
        ' When the acceptance tests pass, call finish.'
      : `You are the navigator: ${nameOf(ctx, partner!)} drives. Plan the next step, point out mistakes, and review test results; you may read files but not change them. Answer briefly.`;
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content: `${persona ? personaBrief(persona) : `You are ${speaker}.`}\nYou work on feature ${f.featureId} of the ${ctx.project.stack} project "${ctx.project.name}". ${roleText}`,
    },
    {
      role: 'user',
      content:
        `Implement feature ${f.featureId}: ${f.title}\n${f.description}\n` +
        `Acceptance criteria:\n${f.acceptanceCriteria.map((c) => `- ${c}`).join('\n') || '- (none given)'}\n` +
        `Acceptance tests: ${f.tests.join(' ')}\nFiles in the repository: ${ctx.project.files.join(', ')}`,
    },
  ];
  let myLastTurnHadTools = true;
  for (const entry of s.transcript) {
    if (entry.kind === 'turn') {
      const t = entry.data;
      if (t.speaker === speaker && t.role === role) {
        messages.push({
          role: 'assistant',
          content: t.failure ? null : t.content,
          ...(t.toolCalls.length ? { tool_calls: t.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) } : {}),
        });
        myLastTurnHadTools = t.toolCalls.length > 0;
      } else if (!t.failure) {
        const calls = t.toolCalls.map((c) => `${c.name}(${abbreviate(c.arguments, 200)})`).join(', ');
        const said = [t.content, calls && `[calls ${calls}]`].filter(Boolean).join(' ');
        if (said) messages.push({ role: 'user', content: `${nameOf(ctx, t.speaker)} (${t.role}): ${said}` });
      }
    } else if (entry.kind === 'tool') {
      const r = entry.data;
      const mine = lastAssistantCallIds(messages).has(r.toolCallId);
      if (mine) messages.push({ role: 'tool', tool_call_id: r.toolCallId, name: r.name, content: r.output });
      else messages.push({ role: 'user', content: `[${r.name} → ${abbreviate(r.output, 2000)}]` });
    } else if (entry.kind === 'review') {
      messages.push({ role: 'user', content: `Review by ${nameOf(ctx, entry.reviewer)} (${entry.approved ? 'approved' : 'changes requested'}): ${entry.comments}` });
    } else {
      messages.push({ role: 'user', content: entry.text });
    }
  }
  const last = messages[messages.length - 1];
  if (role === 'driver' && !myLastTurnHadTools) {
    messages.push({ role: 'user', content: 'Use the tools to make progress: write the code, run_tests, and call finish when they pass.' });
  } else if (last.role === 'assistant') {
    messages.push({ role: 'user', content: 'Continue.' });
  }
  return messages;
}

/** Tool call ids of assistant messages not yet followed by another assistant message. */
function lastAssistantCallIds(messages: ChatMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const m of messages) if (m.role === 'assistant') m.tool_calls?.forEach((c) => ids.add(c.id));
  return ids;
}

export function abbreviate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}… (${text.length - max + 20} more)`;
}

export const REVIEW_JSON_SCHEMA = {
  type: 'object',
  properties: { verdict: { type: 'string', enum: ['approve', 'request_changes'] }, comments: { type: 'string', maxLength: 4000 } },
  required: ['verdict', 'comments'],
  additionalProperties: false,
};

export function reviewMessages(reviewer: Persona | undefined, reviewerId: string, diff: string, ctx: PromptContext, round: number): ChatMessage[] {
  const f = ctx.feature;
  return [
    {
      role: 'system',
      content:
        `${reviewer ? personaBrief(reviewer) : `You are ${reviewerId}.`}\nYou review the change for feature ${f.featureId} of the ${ctx.project.stack} project "${ctx.project.name}". ` +
        'Answer only with JSON: {"verdict": "approve" | "request_changes", "comments": "..."}. Approve a change that meets the criteria and is clean; ask for changes only for real problems.',
    },
    {
      role: 'user',
      content: `Review round ${round} of feature ${f.featureId}: ${f.title}\n${f.description}\nAcceptance criteria:\n${f.acceptanceCriteria.map((c) => `- ${c}`).join('\n')}\n\nThe diff against main:\n${diff || '(empty)'}`,
    },
  ];
}
