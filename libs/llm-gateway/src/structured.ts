/** Parsing and validation of structured (JSON) output. */
import { checkJsonSchema } from './json-schema';
import type { NormalizedRequest, StructuredOutputSpec } from './types';

export type Validation = { ok: true; value: unknown } | { ok: false; error: string };

/** Strips a Markdown code fence around JSON (```json … ```), which some models add. */
export function stripCodeFence(text: string): string {
  const t = text.trim();
  const m = /^```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)\n?```$/.exec(t);
  return m ? m[1].trim() : t;
}

export function validateStructured(content: string | null, spec: StructuredOutputSpec): Validation {
  if (content === null || content.trim() === '') return { ok: false, error: 'the reply has no content (expected a JSON value)' };
  let value: unknown;
  try {
    value = JSON.parse(stripCodeFence(content));
  } catch (e) {
    return { ok: false, error: `the reply is not valid JSON (${(e as Error).message})` };
  }
  if (spec.zod) {
    const r = spec.zod.safeParse(value);
    if (!r.success) {
      const msg = r.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
        .join('; ');
      return { ok: false, error: `the JSON does not match the schema: ${msg}` };
    }
    value = r.data;
  }
  if (spec.validate) {
    let msg: string | null;
    try {
      msg = spec.validate(value);
    } catch (e) {
      msg = `validator threw: ${(e as Error).message}`;
    }
    if (msg) return { ok: false, error: `the JSON is not acceptable: ${msg}` };
  }
  if (!spec.zod && !spec.validate) {
    const msg = checkJsonSchema(value, spec.jsonSchema);
    if (msg) return { ok: false, error: `the JSON does not match the schema: ${msg}` };
  }
  return { ok: true, value };
}

export function repairPrompt(error: string): string {
  return (
    `Your previous reply was rejected: ${error}. ` +
    'Reply again with only a JSON value that satisfies the required JSON schema, with no other text.'
  );
}

/** The repair attempt: the same request with the rejected reply and the reason appended. */
export function repairRequest(n: NormalizedRequest, rejected: string | null, error: string): NormalizedRequest {
  return { ...n, messages: [...n.messages, { role: 'assistant', content: rejected ?? '' }, { role: 'user', content: repairPrompt(error) }] };
}
