/**
 * Scripts: deterministic answers for the simulator. See apps/llm-simulator/README.md.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { contentText } from './tokens';

export const FAULT_KINDS = ['429', '500', '503', 'timeout', 'drop', 'reset', 'malformed'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const ToolCallSpec = z.object({
  name: z.string().min(1),
  arguments: z.union([z.string(), z.record(z.unknown())]).default({}),
});

const RespondSpec = z
  .object({
    content: z.string().optional(),
    /** Convenience: content = JSON.stringify(json). */
    json: z.unknown().optional(),
    tool_calls: z.array(ToolCallSpec).optional(),
    /** Simulated completion length (tokens) when longer than the visible answer. */
    completionTokens: z.number().int().positive().optional(),
  })
  .strict();

const FaultSpec = z
  .object({
    kind: z.enum(FAULT_KINDS),
    /** 1-based ordinals of this rule's matches that fail (e.g. [1] = the first call). */
    calls: z.array(z.number().int().positive()).optional(),
    /** The first N matches fail. */
    first: z.number().int().positive().optional(),
  })
  .strict();

const MatchSpec = z
  .object({
    role: z.string().optional(),
    contains: z.string().optional(),
    flags: z.string().optional(),
    /** Regex on the first system/developer message; groups are `{{s1}}`, `{{s2}}`… (named groups by name). */
    system: z.string().optional(),
    systemFlags: z.string().optional(),
    tool: z.string().optional(),
    turn: z.number().int().positive().optional(),
    model: z.string().optional(),
    structured: z.boolean().optional(),
  })
  .strict();

const RuleSpec = z
  .object({
    name: z.string().optional(),
    match: MatchSpec.default({}),
    respond: z.union([RespondSpec, z.array(RespondSpec).min(1)]).optional(),
    fault: FaultSpec.optional(),
  })
  .strict()
  .refine((r) => r.respond !== undefined || r.fault !== undefined, { message: 'a rule needs respond and/or fault' });

const ScriptSpec = z.union([
  z.array(RuleSpec),
  z
    .object({
      rules: z.array(RuleSpec).default([]),
      default: RespondSpec.optional(),
    })
    .strict(),
]);

export type RespondSpec = z.infer<typeof RespondSpec>;
export type RuleSpec = z.infer<typeof RuleSpec>;
export type ScriptSpec = z.input<typeof ScriptSpec>;

export interface ScriptMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_call_id?: string;
  tool_calls?: Array<{ id?: string; function?: { name?: string } }> | null;
}

export interface ScriptRequest {
  model: string;
  messages: ScriptMessage[];
  user?: string;
  structured: boolean;
}

export interface MatchContext {
  role?: string;
  turn: number;
  tool?: string;
  /** The user/tool messages after the last assistant message (joined by newlines); without any, the last user or tool message. */
  lastText: string;
  /** The first system/developer message ('' without one). */
  systemText: string;
  model: string;
  structured: boolean;
}

export interface ScriptAnswer {
  content: string | null;
  toolCalls: Array<{ name: string; arguments: string }>;
  completionTokens?: number;
  fault?: FaultKind;
  rule?: string;
}

const ROLE_RE = /(?:^|[^\w])role:([\w.-]+)/;

export function deriveContext(req: ScriptRequest): MatchContext {
  let role: string | undefined;
  if (req.user) role = ROLE_RE.exec(req.user)?.[1];
  if (!role) {
    for (const m of req.messages) {
      if (m.role === 'system' || m.role === 'developer') {
        const r = ROLE_RE.exec(contentText(m.content))?.[1];
        if (r) {
          role = r;
          break;
        }
      }
    }
  }
  const turn = req.messages.filter((m) => m.role === 'assistant').length + 1;
  let tool: string | undefined;
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i];
    if (m.role !== 'tool') continue;
    tool = m.name ?? toolNameById(req.messages, i, m.tool_call_id);
    break;
  }
  // The new input of this turn: every user/tool message since the last assistant message, so that a
  // tool result followed by a user message (a navigator's advice) is still seen by `contains`.
  const fresh: string[] = [];
  let lastText = '';
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i];
    if (m.role === 'assistant') break;
    if (m.role === 'user' || m.role === 'tool') fresh.unshift(contentText(m.content));
  }
  if (fresh.length > 0) lastText = fresh.join('\n');
  else {
    for (let i = req.messages.length - 1; i >= 0; i--) {
      const m = req.messages[i];
      if (m.role === 'user' || m.role === 'tool') {
        lastText = contentText(m.content);
        break;
      }
    }
  }
  const sys = req.messages.find((m) => m.role === 'system' || m.role === 'developer');
  const systemText = sys ? contentText(sys.content) : '';
  return { role, turn, tool, lastText, systemText, model: req.model, structured: req.structured };
}

function toolNameById(messages: ScriptMessage[], before: number, id: string | undefined): string | undefined {
  if (!id) return undefined;
  for (let i = before - 1; i >= 0; i--) {
    const call = messages[i].tool_calls?.find((c) => c.id === id);
    if (call) return call.function?.name;
  }
  return undefined;
}

interface CompiledRule {
  spec: RuleSpec;
  name: string;
  re?: RegExp;
  systemRe?: RegExp;
  matches: number;
}

export class Script {
  private readonly rules: CompiledRule[];
  private readonly fallback: RespondSpec | undefined;

  constructor(spec: ScriptSpec = []) {
    const parsed = ScriptSpec.parse(spec);
    const rules = Array.isArray(parsed) ? parsed : parsed.rules;
    this.fallback = Array.isArray(parsed) ? undefined : parsed.default;
    this.rules = rules.map((r, i) => ({
      spec: r,
      name: r.name ?? `rule#${i + 1}`,
      re: r.match.contains !== undefined ? new RegExp(r.match.contains, r.match.flags) : undefined,
      systemRe: r.match.system !== undefined ? new RegExp(r.match.system, r.match.systemFlags) : undefined,
      matches: 0,
    }));
  }

  static fromFile(path: string): Script {
    return new Script(JSON.parse(readFileSync(path, 'utf8')) as ScriptSpec);
  }

  /** Resets per-rule match counters (fault ordinals, response sequences). */
  reset(): void {
    for (const r of this.rules) r.matches = 0;
  }

  answer(req: ScriptRequest): ScriptAnswer {
    const ctx = deriveContext(req);
    for (const rule of this.rules) {
      const groups = this.test(rule, ctx);
      if (!groups) continue;
      rule.matches++;
      const n = rule.matches;
      const f = rule.spec.fault;
      if (f && faultApplies(f, n)) return { content: null, toolCalls: [], fault: f.kind, rule: rule.name };
      if (!rule.spec.respond) continue; // a fault-only rule that does not fire this time falls through
      const list = Array.isArray(rule.spec.respond) ? rule.spec.respond : [rule.spec.respond];
      const respond = list[Math.min(n, list.length) - 1];
      return { ...render(respond, groups, ctx), rule: rule.name };
    }
    if (this.fallback) return { ...render(this.fallback, NO_GROUPS, ctx), rule: 'default' };
    return { content: ctx.structured ? '{}' : 'OK.', toolCalls: [], rule: 'builtin-default' };
  }

  private test(rule: CompiledRule, ctx: MatchContext): Groups | undefined {
    const m = rule.spec.match;
    if (m.role !== undefined && m.role !== ctx.role) return undefined;
    if (m.tool !== undefined && m.tool !== ctx.tool) return undefined;
    if (m.turn !== undefined && m.turn !== ctx.turn) return undefined;
    if (m.model !== undefined && m.model !== ctx.model) return undefined;
    if (m.structured !== undefined && m.structured !== ctx.structured) return undefined;
    const groups: Groups = { list: [], system: [], named: {} };
    if (rule.systemRe) {
      rule.systemRe.lastIndex = 0;
      const r = rule.systemRe.exec(ctx.systemText);
      if (!r) return undefined;
      groups.system = Array.from(r, (g) => g ?? '');
      for (const [k, v] of Object.entries(r.groups ?? {})) groups.named[k] = v ?? '';
    }
    if (rule.re) {
      rule.re.lastIndex = 0;
      const r = rule.re.exec(ctx.lastText);
      if (!r) return undefined;
      groups.list = Array.from(r, (g) => g ?? '');
      for (const [k, v] of Object.entries(r.groups ?? {})) groups.named[k] = v ?? '';
    }
    return groups;
  }
}

function faultApplies(f: { calls?: number[]; first?: number }, n: number): boolean {
  if (f.calls === undefined && f.first === undefined) return true;
  if (f.calls?.includes(n)) return true;
  if (f.first !== undefined && n <= f.first) return true;
  return false;
}

/** Captured groups: `contains` ({{1}}…), `system` ({{s1}}…), and named groups of either ({{name}}). */
interface Groups {
  list: string[];
  system: string[];
  named: Record<string, string>;
}
const NO_GROUPS: Groups = { list: [], system: [], named: {} };

function interpolate(s: string, groups: Groups, ctx: MatchContext): string {
  return s.replace(/\{\{\s*([\w]+)\s*\}\}/g, (whole, key: string) => {
    if (/^\d+$/.test(key)) return groups.list[Number(key)] ?? '';
    if (/^s\d+$/.test(key)) return groups.system[Number(key.slice(1))] ?? '';
    if (Object.prototype.hasOwnProperty.call(groups.named, key)) return groups.named[key];
    switch (key) {
      case 'role':
        return ctx.role ?? '';
      case 'turn':
        return String(ctx.turn);
      case 'tool':
        return ctx.tool ?? '';
      case 'model':
        return ctx.model;
      default:
        return whole;
    }
  });
}

function interpolateDeep(v: unknown, groups: Groups, ctx: MatchContext): unknown {
  if (typeof v === 'string') return interpolate(v, groups, ctx);
  if (Array.isArray(v)) return v.map((x) => interpolateDeep(x, groups, ctx));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = interpolateDeep(x, groups, ctx);
    return out;
  }
  return v;
}

function render(r: RespondSpec, groups: Groups, ctx: MatchContext): ScriptAnswer {
  let content: string | null = null;
  if (r.json !== undefined) content = JSON.stringify(interpolateDeep(r.json, groups, ctx));
  else if (r.content !== undefined) content = interpolate(r.content, groups, ctx);
  const toolCalls = (r.tool_calls ?? []).map((c) => ({
    name: interpolate(c.name, groups, ctx),
    arguments: typeof c.arguments === 'string' ? interpolate(c.arguments, groups, ctx) : JSON.stringify(interpolateDeep(c.arguments, groups, ctx)),
  }));
  if (content === null && toolCalls.length === 0) content = '';
  return { content, toolCalls, completionTokens: r.completionTokens };
}
