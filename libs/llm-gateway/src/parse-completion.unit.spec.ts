import { parseCompletion } from './parse-completion';
import { normalizeRequest } from './request';
import type { LlmRequest } from './types';

const key = { simulationId: 's', agentId: 'a', seq: 1 };
const tools = [{ name: 'run_tests', parameters: { type: 'object' } }];
const names = new Set(['run_tests']);
const normalized = (extra: Partial<LlmRequest> = {}) => normalizeRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools, ...extra }, key, undefined, undefined);
const completion = (message: Record<string, unknown>, finish_reason: string | null = 'stop') => ({ choices: [{ message, finish_reason }] });

describe('parseCompletion', () => {
  it('reads wire tool calls, naming one without an id from the call key and content (the same on replay)', () => {
    const wire = completion({ content: null, tool_calls: [{ type: 'function', function: { name: 'run_tests', arguments: { path: 'src' } } }] }, 'tool_calls');
    const p = parseCompletion(wire, normalized(), names, key);
    expect(p).toMatchObject({ content: null, finishReason: 'tool_calls', fromContent: false });
    expect(p.toolCalls).toEqual([{ id: expect.stringMatching(/^call_[0-9a-f]{16}_0$/), name: 'run_tests', arguments: '{"path":"src"}' }]);
    expect(parseCompletion(wire, normalized(), names, key).toolCalls[0].id).toBe(p.toolCalls[0].id);
    expect(parseCompletion(wire, normalized(), names, { ...key, seq: 2 }).toolCalls[0].id).not.toBe(p.toolCalls[0].id);
  });

  it('reads tool calls from the content when tools were offered, and says so', () => {
    const p = parseCompletion(completion({ content: '{"name": "run_tests", "parameters": {}}' }), normalized(), names, key);
    expect(p).toMatchObject({ content: null, finishReason: 'tool_calls', fromContent: true, toolCalls: [{ name: 'run_tests', arguments: '{}' }] });
  });

  it('leaves the content alone without tools, with tool_choice none, or with a JSON schema', () => {
    const content = '{"name": "run_tests", "parameters": {}}';
    expect(parseCompletion(completion({ content }), normalized(), undefined, key)).toMatchObject({ content, toolCalls: [], fromContent: false });
    expect(parseCompletion(completion({ content }), normalized({ toolChoice: 'none' }), names, key)).toMatchObject({ content, fromContent: false });
    const structured = normalized({ structured: { jsonSchema: { type: 'object' } } });
    expect(parseCompletion(completion({ content }), structured, names, key)).toMatchObject({ content, finishReason: 'stop', fromContent: false });
  });

  it('keeps a finish reason other than stop, and defaults a missing one or a missing choice', () => {
    expect(parseCompletion(completion({ content: '{"name": "run_tests", "parameters": {}}' }, 'length'), normalized(), names, key).finishReason).toBe('length');
    expect(parseCompletion(completion({ content: 'hi' }, null), normalized(), names, key)).toEqual({ content: 'hi', toolCalls: [], finishReason: 'stop', fromContent: false });
    expect(parseCompletion({ choices: [] }, normalized(), names, key)).toEqual({ content: null, toolCalls: [], finishReason: 'stop', fromContent: false });
  });
});
