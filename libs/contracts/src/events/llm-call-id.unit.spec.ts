import { uuidV5 } from '../ids';
import { llmCallEventId } from './llm.events';

describe('llmCallEventId', () => {
  const key = { simulationId: 'b0a1c2d3-0000-4000-8000-000000000001', agentId: 'dev-1', seq: 1 };

  it('gives the ids recorded so far (computed by the gateway before the derivation moved here)', () => {
    expect(llmCallEventId(key, 'requested')).toBe('76f17a9f-5a65-5d80-9bcd-f8febb26c669');
    expect(llmCallEventId(key, 'outcome')).toBe('c4dc6de6-5b2c-57cb-86ef-2b994cccc531');
    expect(llmCallEventId({ ...key, attempt: 2 }, 'requested')).toBe('5b01616c-08fe-5026-a829-c7946fec479e');
    expect(llmCallEventId({ simulationId: 's', agentId: 'po', seq: 0 }, 'outcome')).toBe('1198b378-b0ec-5f94-813b-2631ed60ef4d');
  });

  it('a first attempt has the id it had before attempts existed', () => {
    expect(llmCallEventId({ ...key, attempt: undefined }, 'requested')).toBe(llmCallEventId(key, 'requested'));
    expect(llmCallEventId(key, 'requested')).toBe(uuidV5(`llm-call:requested:${key.simulationId}\u0000dev-1\u00001`));
  });
});
