import { llmErrorFromRecord, LlmOutputInvalidError } from './errors';
import { hashRequest } from './recording';

describe('recording helpers', () => {
  it('hashes requests independently of key order', () => {
    const a = { model: 'm', messages: [{ role: 'user', content: 'x' }], sampling: { temperature: 1, top_p: 1 } } as never;
    const b = { sampling: { top_p: 1, temperature: 1 }, messages: [{ content: 'x', role: 'user' }], model: 'm' } as never;
    expect(hashRequest(a)).toBe(hashRequest(b));
  });
  it('typed errors survive recording', () => {
    const e = new LlmOutputInvalidError('bad', '{"x"', 'not JSON', { attempts: 2 });
    const back = llmErrorFromRecord(JSON.parse(JSON.stringify(e.toRecord())));
    expect(back).toBeInstanceOf(LlmOutputInvalidError);
    expect(back.code).toBe('LLM_OUTPUT_INVALID');
    expect((back as LlmOutputInvalidError).rawContent).toBe('{"x"');
    expect(back.attempts).toBe(2);
  });
});
