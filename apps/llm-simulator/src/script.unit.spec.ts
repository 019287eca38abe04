import { Script, deriveContext } from './script';

const req = (messages: Array<Record<string, unknown>>, extra: { user?: string; structured?: boolean } = {}) => ({
  model: 'sim-model',
  messages: messages as never,
  user: extra.user,
  structured: extra.structured ?? false,
});

describe('Script', () => {
  const script = new Script({
    rules: [
      { name: 'tester-after-tests', match: { role: 'tester', tool: 'run_tests' }, respond: { content: 'tests seen: {{tool}}' } },
      { name: 'tester-first', match: { role: 'tester', turn: 1 }, respond: { tool_calls: [{ name: 'run_tests', arguments: { path: '{{role}}' } }] } },
      { name: 'estimate', match: { contains: 'estimate (\\w+) in (\\w+)' }, respond: { json: { feature: '{{1}}', unit: '{{2}}', points: 3 } } },
      { name: 'second-turn', match: { turn: 2 }, respond: { content: 'turn {{turn}}' } },
    ],
    default: { content: 'default answer' },
  });

  beforeEach(() => script.reset());

  it('takes the role from the user field or from a system-prompt marker', () => {
    expect(deriveContext(req([{ role: 'user', content: 'x' }], { user: 'sim:1 agent:a role:tester' })).role).toBe('tester');
    expect(deriveContext(req([{ role: 'system', content: 'You are an engineer. role:reviewer' }, { role: 'user', content: 'x' }])).role).toBe('reviewer');
    expect(deriveContext(req([{ role: 'system', content: 'your role: none' }, { role: 'user', content: 'x' }])).role).toBeUndefined();
  });

  it('matches by role and turn, first match wins, and interpolates', () => {
    const a = script.answer(req([{ role: 'user', content: 'go' }], { user: 'role:tester' }));
    expect(a.rule).toBe('tester-first');
    expect(a.toolCalls).toEqual([{ name: 'run_tests', arguments: '{"path":"tester"}' }]);
  });

  it('matches the last tool result by name (name field or tool_call_id)', () => {
    const conv = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'run_tests', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '3 passed' },
    ];
    const a = script.answer(req(conv, { user: 'role:tester' }));
    expect(a.rule).toBe('tester-after-tests');
    expect(a.content).toBe('tests seen: run_tests');
  });

  it('matches contains (regex on the last user/tool message) with captured groups', () => {
    const a = script.answer(req([{ role: 'user', content: 'please estimate login in points' }], { structured: true }));
    expect(JSON.parse(a.content!)).toEqual({ feature: 'login', unit: 'points', points: 3 });
  });

  it('counts turns from the assistant messages', () => {
    const a = script.answer(req([{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }]));
    expect(a.rule).toBe('second-turn');
    expect(a.content).toBe('turn 2');
  });

  it('falls back to the default answer', () => {
    expect(script.answer(req([{ role: 'user', content: 'nothing' }])).content).toBe('default answer');
    expect(new Script([]).answer(req([{ role: 'user', content: 'x' }], { structured: true })).content).toBe('{}');
  });

  it('per-rule faults by match ordinal, and response sequences', () => {
    const s = new Script([
      { match: { role: 'x' }, fault: { kind: '503', calls: [1, 3] }, respond: [{ content: 'first' }, { content: 'second' }] },
    ]);
    const r = () => s.answer(req([{ role: 'user', content: 'q' }], { user: 'role:x' }));
    expect(r().fault).toBe('503');
    expect(r().content).toBe('second'); // 2nd match: no fault; respond list index 2
    expect(r().fault).toBe('503');
    expect(r().content).toBe('second'); // the last response repeats
  });

  it('a fault-only rule that does not fire falls through to later rules', () => {
    const s = new Script([{ match: { role: 'x' }, fault: { kind: '429', first: 1 } }, { match: {}, respond: { content: 'ok' } }]);
    const r = () => s.answer(req([{ role: 'user', content: 'q' }], { user: 'role:x' }));
    expect(r().fault).toBe('429');
    expect(r().content).toBe('ok');
  });

  it('matches the first system message with `system`, its groups as {{s1}}… and named groups by name', () => {
    const s = new Script([
      { name: 'slugify', match: { system: 'feature slugify\\b' }, respond: { content: 'slug' } },
      { name: 'any-feature', match: { system: 'feature (?<feature>[\\w.-]+)', contains: 'go (\\w+)' }, respond: { content: '{{s1}} {{feature}} {{1}}' } },
      { name: 'upper', match: { system: 'PERSONA', systemFlags: 'i' }, respond: { content: 'persona' } },
    ]);
    const sys = (text: string, user = 'go now') => s.answer(req([{ role: 'system', content: text }, { role: 'user', content: user }, { role: 'system', content: 'feature slugify' }]));
    expect(sys('You build feature slugify.').rule).toBe('slugify');
    expect(sys('You build feature slugify-ext.').rule).toBe('slugify'); // \b: an id that extends another needs a stricter regex
    expect(sys('You build feature word-count: count words').content).toBe('word-count word-count now');
    expect(sys('You build feature word-count: x', 'stop').rule).toBe('builtin-default'); // both regexes must match
    expect(sys('a persona').rule).toBe('upper');
    expect(sys('nothing').rule).toBe('builtin-default'); // only the first system message counts
    expect(s.answer(req([{ role: 'developer', content: 'feature slugify' }, { role: 'user', content: 'x' }])).rule).toBe('slugify');
    expect(s.answer(req([{ role: 'user', content: 'feature slugify' }])).rule).toBe('builtin-default');
  });

  it('tool: the most recent tool message anywhere; contains: every user/tool message since the last assistant message', () => {
    const s = new Script([
      { name: 'fix', match: { tool: 'run_tests', contains: 'TESTS FAILED[\\s\\S]*?FAILED (\\S+)' }, respond: { content: 'fixing {{1}}' } },
      { name: 'done', match: { tool: 'run_tests', contains: '^TESTS PASSED' , flags: 'm' }, respond: { content: 'done' } },
      { name: 'other', match: {}, respond: { content: 'other {{tool}}' } },
    ]);
    const conv = (result: string, extra: Array<Record<string, unknown>> = []) => [
      { role: 'system', content: 'feature x' },
      { role: 'user', content: 'build it' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'run_tests', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: result },
      ...extra,
    ];
    const failed = 'TESTS FAILED\n..F\nFAILED tests/test_t.py::test_limit - assert 6 <= 5';
    expect(s.answer(req(conv(failed))).content).toBe('fixing tests/test_t.py::test_limit');
    // a navigator's advice after the tool result: the tool name and the tool's text are still seen
    expect(s.answer(req(conv(failed, [{ role: 'user', content: 'Navigator: check the limit.' }]))).content).toBe('fixing tests/test_t.py::test_limit');
    expect(s.answer(req(conv('TESTS PASSED\n3 passed', [{ role: 'user', content: 'Navigator: good.' }]))).rule).toBe('done');
    // once the assistant has answered, the old tool text is no longer new input, but the tool name remains
    const later = [...conv(failed), { role: 'assistant', content: 'hmm' }, { role: 'user', content: 'go on' }];
    expect(s.answer(req(later)).content).toBe('other run_tests');
    // several tool results in one turn: all of them are new input, the last one names the tool
    const parallel = [
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'write_file', arguments: '{}' } },
          { id: 'b', type: 'function', function: { name: 'run_tests', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: 'wrote 10 bytes' },
      { role: 'tool', tool_call_id: 'b', content: 'TESTS PASSED' },
    ];
    expect(s.answer(req(parallel)).rule).toBe('done');
    expect(deriveContext(req(parallel)).lastText).toBe('wrote 10 bytes\nTESTS PASSED');
  });

  it('rejects an invalid script', () => {
    expect(() => new Script([{ match: { role: 'x' } }] as never)).toThrow();
    expect(() => new Script([{ match: { nope: 1 }, respond: { content: 'x' } }] as never)).toThrow();
  });
});

describe('README example script', () => {
  it('is a valid script and behaves as documented', () => {
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    const readme = readFileSync(`${__dirname}/../README.md`, 'utf8');
    const json = /```json\n([\s\S]*?)```/.exec(readme)![1];
    const s = new Script(JSON.parse(json));
    const pm = () => s.answer(req([{ role: 'user', content: 'plan' }], { user: 'sim:s agent:p role:pm' }));
    expect(pm().fault).toBe('503');
    expect(pm().content).toBe('Backlog: pm turn 1');
    expect(s.answer(req([{ role: 'user', content: 'estimate login' }], { structured: true })).content).toBe('{"feature":"login","points":3}');
  });
});
