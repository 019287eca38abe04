import { createHash } from 'node:crypto';
import { LlmError } from './errors';
import { hashRequest } from './recording';
import { deriveSeed, normalizeRequest, wireBody } from './request';
import type { BackendConfig, CallKey, ChatMessage, LlmRequest, SamplingParams, ToolDefinition } from './types';

/**
 * Requests must stay byte for byte what they were: a replay compares their hash, and a seed or a
 * field in another order is another request. GOLDEN was computed with the gateway before it was split
 * (main at 74cfd61, gateway.ts's normalize and wireBody): the request hash, and a digest of the
 * normalized request and of the JSON bodies sent to three backend dialects, streamed and not.
 */
interface GoldenCase {
  name: string;
  request: LlmRequest;
  key: CallKey;
  role?: string;
  defaults?: Partial<SamplingParams>;
}

const schema = { type: 'object', properties: { points: { type: 'integer' }, why: { type: 'string' } }, required: ['points'] };
const tools: ToolDefinition[] = [
  { name: 'run_tests', description: 'Run the tests', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
  { name: 'write_file', parameters: { type: 'object', properties: { path: { type: 'string' }, text: { type: 'string' } }, required: ['path'] } },
];
const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are a developer.' },
  { role: 'developer', content: 'Be brief.' },
  { role: 'user', content: 'Add a sum function.', name: 'po' },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', name: 'write_file', arguments: '{"path":"sum.ts","text":"x"}' }] },
  { role: 'tool', content: 'written', tool_call_id: 'call_1', name: 'write_file' },
  { role: 'tool', content: 'ok', tool_call_id: 'call_2' },
  { role: 'assistant', content: 'Done.' },
  { role: 'assistant', content: 'Nothing', tool_calls: [] },
  { role: 'user', content: 'Thanks — ünïcödé ✓' },
];
const CASES: GoldenCase[] = [
  { name: 'plain', request: { model: 'm', messages: [{ role: 'user', content: 'x' }] }, key: { simulationId: 's', agentId: 'a', seq: 1 } },
  { name: 'role and gateway defaults', request: { model: 'm', messages: [{ role: 'user', content: 'x' }] }, key: { simulationId: 'sim-1', agentId: 'dev-1', seq: 42 }, role: 'dev', defaults: { temperature: 0.2, max_tokens: 512, stop: ['</s>'] } },
  { name: 'retry attempt keeps the seed', request: { model: 'm', messages: [{ role: 'user', content: 'x' }] }, key: { simulationId: 's', agentId: 'a', seq: 3, attempt: 2 }, role: 'reviewer' },
  { name: 'sampling overrides with undefined', request: { model: 'm', messages: [{ role: 'user', content: 'x' }], sampling: { temperature: 0, seed: 7, top_k: undefined, stop: ['a', 'b'], min_p: 0.05 } }, key: { simulationId: 'b0a1c2d3-0000-4000-8000-000000000001', agentId: 'po', seq: 0 }, defaults: { top_k: 40, seed: undefined } },
  { name: 'conversation with tools auto', request: { model: 'llama', messages: conversation, tools }, key: { simulationId: 's', agentId: 'dev-2', seq: 9 }, role: 'dev' },
  { name: 'tools required', request: { model: 'llama', messages: conversation, tools, toolChoice: 'required' }, key: { simulationId: 's', agentId: 'dev-2', seq: 10 } },
  { name: 'tools none', request: { model: 'llama', messages: conversation, tools, toolChoice: 'none' }, key: { simulationId: 's', agentId: 'dev-2', seq: 11 } },
  { name: 'named tool', request: { model: 'llama', messages: conversation, tools, toolChoice: { name: 'run_tests' } }, key: { simulationId: 's', agentId: 'dev-2', seq: 12 } },
  { name: 'empty tools list', request: { model: 'llama', messages: conversation, tools: [], toolChoice: 'required' }, key: { simulationId: 's', agentId: 'dev-2', seq: 13 } },
  { name: 'structured', request: { model: 'm', messages: [{ role: 'system', content: 'Estimate.' }, { role: 'user', content: 'Story 1' }], structured: { jsonSchema: schema } }, key: { simulationId: 's', agentId: 'est', seq: 1 }, role: 'dev' },
  { name: 'structured named with tools', request: { model: 'm', messages: [{ role: 'user', content: 'x' }], structured: { name: 'estimate', jsonSchema: schema }, tools, sampling: { max_tokens: 64 } }, key: { simulationId: 's', agentId: 'est', seq: 2 } },
  { name: 'extra body', request: { model: 'm', messages: [{ role: 'user', content: 'x' }], extraBody: { min_tokens: 200, ignore_eos: true, temperature: 1.5 } }, key: { simulationId: 's', agentId: 'a', seq: 5 } },
  { name: 'empty extra body', request: { model: 'm', messages: [{ role: 'user', content: 'x' }], extraBody: {} }, key: { simulationId: 's', agentId: 'a', seq: 6 } },
];

const GOLDEN: Record<string, { hash: string; bytes: string }> = {
  "plain": { hash: '9c011f3b472ed8839a5e6baab22ac2bf66cbd235334775529e8c93a104f8cdb4', bytes: 'db7063741a573b5b0419c2f2b7938f45' },
  "role and gateway defaults": { hash: '624218a1fe1ab6969e51e506737d9ccc198b40ed6314dfb1f80ee4ddbe9641ea', bytes: '1cf91a64d2c973263437946ee526c3c4' },
  "retry attempt keeps the seed": { hash: 'd62451480a115e4c48c7f470f91be400c289e3740f483a0d37f28e494efccee3', bytes: 'd2a2006282157f5f384f14b875fdd176' },
  "sampling overrides with undefined": { hash: 'e2d4c2bffcc4c9b89c8cebe8be2e09f4b7367dbce2b3aa70c1af40ca808821a0', bytes: 'df8da6bebf39a2d3a365d67b3091f119' },
  "conversation with tools auto": { hash: 'd7f3777bad0a07117a802fb02b29702828041aedaa8cd5551d66b45771dccfb6', bytes: 'e0ef23c68437a3d71e2ea19b350069b6' },
  "tools required": { hash: 'cf5c545748281ae1415c077edff66d81d7a40e6cd4a86c48b223af59c12d4b9e', bytes: 'a6e7ebb0b0dcadc5c77d08a51100f910' },
  "tools none": { hash: '0b768a6e5c1bc07ff5d979c5e583a849c2318576703c7583157756921a87d136', bytes: 'b47b73384e425017aa1953ce1cc66003' },
  "named tool": { hash: '577fca6291cffed41942a7c5503ec8343039fbb8a549cc3529bb17ef082c5451', bytes: '736b4bdcef88de170276a5c868b1a69b' },
  "empty tools list": { hash: 'ff641f5c60947db369a583811e8f879122c0c693f2a7c8aac80a3ad757693950', bytes: '7b7e6f68f7330f486034ec305fb14209' },
  "structured": { hash: '28173d025b5f343dd1dd0547c3d633c47d1504c308a816f1624bb4b9f9cef96d', bytes: '50e1f61ad46bf2242197806b39c51b73' },
  "structured named with tools": { hash: '5673ee147ed761a7dd672492bcd0d5d4e19d2484aa47c9d470ec8d2e0cae1699', bytes: 'd7dfaf2e1516378f31213b7f62b56bc3' },
  "extra body": { hash: 'ff5c5cde321f56e032d3e75322fe3c9b8d2e8fa3e0c366c5b693c36e463c5256', bytes: '5997698ab56980d1c114db97f59008a2' },
  "empty extra body": { hash: '5bab90dad5d2f3186476f133921d1233d651b09838a46d744597de16ea29115f', bytes: '3ee16d5ae29e32a1b66f5cbf3daede83' },
};

const BACKENDS: BackendConfig[] = [
  { name: 'b', baseUrl: 'http://127.0.0.1:9/v1', models: ['m', 'llama'] },
  { name: 'b', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'], structuredOutputField: 'response_format' },
  { name: 'b', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'], structuredOutputField: 'both', maxTokensField: 'max_completion_tokens' },
];

describe('request building, byte for byte as before the split', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const n = normalizeRequest(c.request, c.key, c.defaults, c.role);
    const parts = [hashRequest(n), JSON.stringify(n)];
    for (const b of BACKENDS) for (const stream of [false, true]) parts.push(JSON.stringify(wireBody(n, b, stream)));
    expect({ hash: hashRequest(n), bytes: createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32) }).toEqual(GOLDEN[c.name]);
  });

  it('covers every golden case', () => {
    expect(CASES.map((c) => c.name).sort()).toEqual(Object.keys(GOLDEN).sort());
  });
});

describe('deriveSeed', () => {
  it('is a non-negative 31-bit integer from the key, the same for every attempt of a call', () => {
    const key = { simulationId: 's', agentId: 'a', seq: 1 };
    const seed = deriveSeed(key);
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
    expect(deriveSeed({ ...key, attempt: 3 })).toBe(seed);
    expect(deriveSeed({ ...key, seq: 2 })).not.toBe(seed);
    expect(deriveSeed({ ...key, agentId: 'b' })).not.toBe(seed);
  });
});

describe('normalizeRequest', () => {
  const key = { simulationId: 's', agentId: 'a', seq: 1 };
  it('refuses a request without a model or messages', () => {
    expect(() => normalizeRequest({ model: '', messages: [{ role: 'user', content: 'x' }] }, key, undefined, undefined)).toThrow(LlmError);
    expect(() => normalizeRequest({ model: 'm', messages: [] }, key, undefined, undefined)).toThrow(/messages must not be empty/);
  });

  it('copies the stop list, so a caller changing its own afterwards changes nothing recorded', () => {
    const stop = ['x'];
    const n = normalizeRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], sampling: { stop } }, key, undefined, undefined);
    stop.push('y');
    expect(n.sampling.stop).toEqual(['x']);
  });
});
