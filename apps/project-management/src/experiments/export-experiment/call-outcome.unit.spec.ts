import { ChatExample } from '../../simulations/export-simulation/chat-example';
import { CallWithOutcome, featureOfAgent, preferencePairs } from './call-outcome';

const call = (hash: string, answer: string, outcome: CallWithOutcome['outcome']): CallWithOutcome => ({
  example: { messages: [{ role: 'user', content: `prompt ${hash}` }, { role: 'assistant', content: answer }], metadata: { requestHash: hash } } as ChatExample,
  outcome,
});
async function* of(calls: CallWithOutcome[]) {
  yield* calls;
}
const all = async (g: AsyncGenerator<Record<string, unknown>>) => {
  const out: Record<string, unknown>[] = [];
  for await (const x of g) out.push(x);
  return out;
};

describe('experiment export: calls and their outcomes', () => {
  it('finds the feature of a task, a review and a vote; none for the product manager', () => {
    expect(featureOfAgent('ada/slugify.s1')).toBe('slugify');
    expect(featureOfAgent('ada/word-count.s2.review')).toBe('word-count');
    expect(featureOfAgent('bob/poker-s1-word.count-r2')).toBe('word.count');
    expect(featureOfAgent('product-manager')).toBeNull();
  });

  it('pairs the same prompt answered differently in a done and an abandoned run, once, in TRL conversational form', async () => {
    const pairs = await all(
      preferencePairs(
        of([
          call('h1', 'good', 'done'),
          call('h2', 'same', 'done'),
          call('h2', 'same', 'abandoned'), // same answer: no preference
          call('h1', 'bad', 'abandoned'),
          call('h1', 'worse', 'abandoned'), // paired already
          call('h3', 'x', null), // no feature outcome
          call('h2', 'other', 'abandoned'),
        ]),
      ),
    );
    expect(pairs).toEqual([
      { prompt: [{ role: 'user', content: 'prompt h1' }], chosen: [{ role: 'assistant', content: 'good' }], rejected: [{ role: 'assistant', content: 'bad' }] },
      { prompt: [{ role: 'user', content: 'prompt h2' }], chosen: [{ role: 'assistant', content: 'same' }], rejected: [{ role: 'assistant', content: 'other' }] },
    ]);
  });
});
