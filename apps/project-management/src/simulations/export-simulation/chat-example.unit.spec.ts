import { RecordedChatCall, toChatExample } from './chat-example';

const aCall = (over: Partial<RecordedChatCall> = {}): RecordedChatCall => ({
  simulationId: '3f1b6c1e-8a4e-4c55-9d8e-1f2a3b4c5d6e',
  agentId: 'ada/slugify.s1',
  seq: 3,
  request: {
    model: 'sim-model',
    messages: [
      { role: 'system', content: 'You drive.' },
      { role: 'user', content: 'Implement slugify.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'run_tests', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'TESTS FAILED' },
    ],
    sampling: { temperature: 0.2, top_p: 1, seed: 7, max_tokens: 512 },
    tools: [{ type: 'function', function: { name: 'write_file', description: 'writes', parameters: { type: 'object' } } }],
    tool_choice: 'auto',
    json_schema: null,
    user: 'sim:3f1b6c1e agent:ada/slugify.s1 role:driver',
    extra: null,
  },
  requestHash: 'a'.repeat(64),
  message: { content: null, tool_calls: [{ id: 'c2', name: 'write_file', arguments: '{"path":"a.py","content":"x"}' }] },
  model: 'sim-model',
  backend: 'default',
  finishReason: 'tool_calls',
  usage: { promptTokens: 120, completionTokens: 30 },
  latencyMs: 12,
  attempts: 1,
  repaired: false,
  toolCallsFromContent: false,
  position: 99,
  recordedAt: '2026-11-28T06:00:00.000Z',
  ...over,
});

describe('toChatExample', () => {
  it('is the request messages, then the answer as the assistant message in the chat API shape, with the tools offered', () => {
    const line = toChatExample(aCall(), { metadata: false });
    expect(Object.keys(line)).toEqual(['messages', 'tools']); // only keys OpenAI's fine-tuning validator accepts
    expect(line.messages.slice(0, 4)).toEqual(aCall().request.messages);
    expect(line.messages[4]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c2', type: 'function', function: { name: 'write_file', arguments: '{"path":"a.py","content":"x"}' } }],
    });
    expect(line.tools).toEqual(aCall().request.tools);
  });

  it('has no tool_calls or tools key when there are none', () => {
    const line = toChatExample(aCall({ message: { content: '{"points":3}', tool_calls: [] }, request: { ...aCall().request, tools: null } }), { metadata: false });
    expect(line).toEqual({ messages: [...aCall().request.messages, { role: 'assistant', content: '{"points":3}' }] });
  });

  it('keeps where the call came from and how it was sampled under metadata, apart from messages', () => {
    const line = toChatExample(aCall(), { metadata: true });
    expect(Object.keys(line)).toEqual(['messages', 'tools', 'metadata']);
    expect(line.metadata).toMatchObject({
      agentId: 'ada/slugify.s1',
      personaId: 'ada',
      role: 'driver',
      seq: 3,
      callId: 'ada/slugify.s1#3',
      sampling: { temperature: 0.2, seed: 7 },
      usage: { promptTokens: 120, completionTokens: 30 },
      finishReason: 'tool_calls',
      position: 99,
    });
    expect(toChatExample(aCall({ request: { ...aCall().request, user: undefined } }), { metadata: true }).metadata!.role).toBeNull();
  });
});
