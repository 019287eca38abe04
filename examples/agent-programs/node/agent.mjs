// A swe-sim agent program in Node with the official `openai` client. The sandbox has no network
// and no node_modules: bundle it first (node bundle.mjs → dist/agent.js, for the sandbox's Node 18)
// and register the bundle. Protocol: docs/agent-programs.md.
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import OpenAI from 'openai';

// OPENAI_BASE_URL and OPENAI_API_KEY are set by swe-sim; no retries: a refusal is an answer.
const client = new OpenAI({ maxRetries: 0, timeout: 600_000 });
const task = JSON.parse(readFileSync(process.env.SWE_SIM_TASK_FILE, 'utf8'));
const notes = readFileSync(process.env.SWE_SIM_NOTES_FILE, 'utf8').trim();
const maxTurns = Number(process.env.AGENT_MAX_TURNS ?? 12);

const fn = (name, description, properties, required) => ({ type: 'function', function: { name, description, parameters: { type: 'object', properties, required } } });
const path = { type: 'string', description: 'path relative to the worktree' };
const tools = [
  fn('write_file', 'Create or replace a file.', { path, content: { type: 'string' } }, ['path', 'content']),
  fn('read_file', 'Read a file.', { path }, ['path']),
  fn('run_command', 'Run a shell command in the worktree.', { command: { type: 'string' } }, ['command']),
  fn('finish', 'The feature is done.', { summary: { type: 'string' } }, []),
];

function runTool(name, args) {
  switch (name) {
    case 'write_file':
      mkdirSync(dirname(args.path), { recursive: true });
      writeFileSync(args.path, args.content);
      return `wrote ${args.path} (${args.content.length} bytes)`;
    case 'read_file':
      return readFileSync(args.path, 'utf8').slice(0, 16_000);
    case 'run_command':
      try {
        return `exit code 0\n${execSync(args.command, { encoding: 'utf8', stdio: 'pipe', timeout: 120_000 })}`;
      } catch (e) {
        return `exit code ${e.status}\n${e.stdout ?? ''}${e.stderr ?? ''}`;
      }
    case 'finish':
      return 'finished';
    default:
      return `unknown tool ${name}`;
  }
}

async function main() {
  const f = task.feature;
  const system =
    `You are an agent program working on feature ${f.id} of project ${task.project.name}.\n${f.title}\n${f.description}\n` +
    `Acceptance criteria:\n- ${f.acceptanceCriteria.join('\n- ')}\nTests: ${f.tests.join(' ')} (run them with: ${task.testCommand}).\n` +
    'Use the tools to write the code, then call finish.';
  const messages = [
    { role: 'system', content: system },
    { role: 'user', content: `Implement the feature.${notes ? `\nYour partners said:\n${notes}` : ''}` },
  ];
  for (let turn = 0; turn < maxTurns; turn++) {
    const completion = await client.chat.completions.create({ model: 'swe-sim', messages, tools });
    const message = completion.choices[0].message;
    messages.push({ role: 'assistant', content: message.content, ...(message.tool_calls?.length ? { tool_calls: message.tool_calls } : {}) });
    if (!message.tool_calls?.length) return 0;
    for (const call of message.tool_calls) {
      let output;
      try {
        output = runTool(call.function.name, JSON.parse(call.function.arguments || '{}'));
      } catch (e) {
        output = `error: ${e.message}`;
      }
      messages.push({ role: 'tool', tool_call_id: call.id, content: output });
      if (call.function.name === 'finish') return 0;
    }
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    // The endpoint's refusal past the task's budget: exit non-zero, the task ends BUDGET_EXHAUSTED.
    if (err?.code === 'budget_exhausted') {
      console.error(`budget exhausted: ${err.message}`);
      process.exit(3);
    }
    console.error(err);
    process.exit(1);
  },
);
