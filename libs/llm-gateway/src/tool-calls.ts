/**
 * Tool calls: from the OpenAI `tool_calls` field, or from JSON in the content
 * (Llama 3.1 often answers `{"name": …, "parameters": …}` as plain content, possibly after
 * `<|python_tag|>`, several separated by `;`, or in a code fence).
 */
import { createHash } from 'node:crypto';
import { stripCodeFence } from './structured';
import type { ToolCall } from './types';

interface WireToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: unknown };
}

export function fromWireToolCalls(calls: unknown, idSeed: string): ToolCall[] {
  if (!Array.isArray(calls)) return [];
  const out: ToolCall[] = [];
  calls.forEach((c: WireToolCall, i) => {
    const name = c?.function?.name;
    if (typeof name !== 'string' || !name) return;
    const args = c.function?.arguments;
    out.push({
      id: typeof c.id === 'string' && c.id ? c.id : syntheticId(idSeed, i),
      name,
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    });
  });
  return out;
}

function syntheticId(seed: string, i: number): string {
  return `call_${createHash('sha256').update(seed).digest('hex').slice(0, 16)}_${i}`;
}

function asCall(v: unknown): { name: string; args: unknown } | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (o.function && typeof o.function === 'object') {
    const f = o.function as Record<string, unknown>;
    if (typeof f.name === 'string') return { name: f.name, args: f.arguments ?? f.parameters ?? {} };
  }
  if (typeof o.name !== 'string') return undefined;
  const args = o.parameters ?? o.arguments ?? {};
  return { name: o.name, args };
}

function parseCandidates(text: string): unknown[] | undefined {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v : [v];
  } catch {
    // Several calls separated by ';' (llama3_json style).
    const parts = text.split(/;\s*(?=\{)/);
    if (parts.length < 2) return undefined;
    try {
      return parts.map((p) => JSON.parse(p.trim().replace(/;$/, '')));
    } catch {
      return undefined;
    }
  }
}

/**
 * Tool calls found in the content, or undefined when the content is not (only) tool calls.
 * With `allowed`, every call must name one of those tools.
 */
export function toolCallsFromContent(content: string | null, allowed?: ReadonlySet<string>): ToolCall[] | undefined {
  if (!content) return undefined;
  let text = content.trim();
  if (text.startsWith('<|python_tag|>')) text = text.slice('<|python_tag|>'.length).trim();
  text = stripCodeFence(text);
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  const candidates = parseCandidates(text);
  if (!candidates || candidates.length === 0) return undefined;
  const calls: ToolCall[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const c = asCall(candidates[i]);
    if (!c) return undefined;
    if (allowed && !allowed.has(c.name)) return undefined;
    calls.push({ id: syntheticId(content, i), name: c.name, arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args) });
  }
  return calls;
}
