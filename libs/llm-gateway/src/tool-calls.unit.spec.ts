import { toolCallsFromContent } from './tool-calls';

describe('tool calls from content (Llama 3.1 style)', () => {
  const tools = new Set(['run_tests', 'write_file']);
  it('parses {"name", "parameters"}, python_tag, code fences and ";"-separated calls', () => {
    expect(toolCallsFromContent('{"name": "run_tests", "parameters": {"path": "src"}}', tools)).toEqual([
      { id: expect.stringMatching(/^call_/), name: 'run_tests', arguments: '{"path":"src"}' },
    ]);
    expect(toolCallsFromContent('<|python_tag|>{"name": "run_tests", "arguments": {}}', tools)![0].name).toBe('run_tests');
    expect(toolCallsFromContent('```json\n{"name": "write_file", "parameters": {"p": 1}}\n```', tools)![0].name).toBe('write_file');
    const two = toolCallsFromContent('{"name": "run_tests", "parameters": {}}; {"name": "write_file", "parameters": {"a": 2}}', tools)!;
    expect(two.map((t) => t.name)).toEqual(['run_tests', 'write_file']);
    expect(two[0].id).not.toBe(two[1].id);
    expect(toolCallsFromContent('[{"type":"function","function":{"name":"run_tests","arguments":"{\\"x\\":1}"}}]', tools)![0].arguments).toBe('{"x":1}');
  });
  it('ignores prose, unknown tools and other JSON', () => {
    expect(toolCallsFromContent('I will run the tests.', tools)).toBeUndefined();
    expect(toolCallsFromContent('{"name": "rm_rf", "parameters": {}}', tools)).toBeUndefined();
    expect(toolCallsFromContent('{"answer": 42}', tools)).toBeUndefined();
    expect(toolCallsFromContent(null, tools)).toBeUndefined();
  });
});
