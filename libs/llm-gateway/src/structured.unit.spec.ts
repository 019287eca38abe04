import { z } from 'zod';
import { checkJsonSchema } from './json-schema';
import { repairPrompt, repairRequest, validateStructured } from './structured';

describe('structured output validation', () => {
  const jsonSchema = { type: 'object', properties: { points: { type: 'integer', minimum: 0 }, why: { type: 'string' } }, required: ['points'], additionalProperties: false };
  it('validates with zod when given', () => {
    const spec = { jsonSchema, zod: z.object({ points: z.number().int(), why: z.string().optional() }) };
    expect(validateStructured('{"points": 3}', spec)).toEqual({ ok: true, value: { points: 3 } });
    expect(validateStructured('```json\n{"points": 3}\n```', spec).ok).toBe(true);
    const bad = validateStructured('{"points": "three"}', spec);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/points/);
    expect(validateStructured('{"points": 3', spec).ok).toBe(false);
    expect(validateStructured(null, spec).ok).toBe(false);
  });
  it('validates with a custom function', () => {
    const spec = { jsonSchema, validate: (v: unknown) => ((v as { points: number }).points > 10 ? 'too many points' : null) };
    expect(validateStructured('{"points": 3}', spec).ok).toBe(true);
    const r = validateStructured('{"points": 13}', spec);
    expect(!r.ok && r.error).toMatch(/too many points/);
  });
  it('falls back to the small JSON-schema checker', () => {
    expect(checkJsonSchema({ points: 1 }, jsonSchema)).toBeNull();
    expect(checkJsonSchema({}, jsonSchema)).toMatch(/missing required property "points"/);
    expect(checkJsonSchema({ points: -1 }, jsonSchema)).toMatch(/less than 0/);
    expect(checkJsonSchema({ points: 1, extra: true }, jsonSchema)).toMatch(/unexpected property/);
    expect(checkJsonSchema({ points: 1.5 }, jsonSchema)).toMatch(/expected integer/);
    expect(checkJsonSchema([1, 'a'], { type: 'array', items: { type: 'number' } })).toMatch(/\$\[1\]/);
    expect(checkJsonSchema('b', { enum: ['a'] })).toMatch(/one of/);
    expect(checkJsonSchema({ a: { v: 1 } }, { type: 'object', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'object', required: ['w'] } } })).toMatch(/"w"/);
    expect(checkJsonSchema(3, { anyOf: [{ type: 'string' }, { type: 'number' }] })).toBeNull();
    expect(validateStructured('{"points": "x"}', { jsonSchema }).ok).toBe(false);
  });
});

describe('repairRequest', () => {
  it('appends the rejected reply and the reason, and changes nothing else', () => {
    const n = {
      model: 'm',
      messages: [{ role: 'user', content: 'Estimate' }],
      sampling: { temperature: 0.7, top_p: 1, top_k: -1, min_p: 0, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0, seed: 1, max_tokens: 9, stop: [] },
      tools: null,
      tool_choice: null,
      json_schema: { name: 'output', schema: { type: 'object' } },
      user: 'sim:s agent:a',
      extra: null,
    };
    const r = repairRequest(n, 'five points', 'the reply is not valid JSON');
    expect(r.messages).toEqual([...n.messages, { role: 'assistant', content: 'five points' }, { role: 'user', content: repairPrompt('the reply is not valid JSON') }]);
    expect({ ...r, messages: n.messages }).toEqual(n);
    expect(n.messages).toHaveLength(1);
    expect(repairRequest(n, null, 'empty').messages[1]).toEqual({ role: 'assistant', content: '' });
  });
});
