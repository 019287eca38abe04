import { SseParser } from './sse';

describe('SseParser', () => {
  const stream = 'id: c1\nevent: SimulationStarted\ndata: {"a":1}\n\n: keep-alive\n\nid: c2\r\nevent: TeamFormed\r\ndata: {"b":\r\ndata: 2}\r\n\r\n';

  it('parses messages with ids, types and multi-line data, skipping comments', () => {
    expect(new SseParser().push(stream)).toEqual([
      { id: 'c1', event: 'SimulationStarted', data: '{"a":1}' },
      { id: 'c2', event: 'TeamFormed', data: '{"b":\n2}' },
    ]);
  });

  it('gives the same messages whatever the chunks are cut at, CRLF split included', () => {
    const whole = new SseParser().push(stream);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const got = [];
      for (let i = 0; i < stream.length; i += size) got.push(...parser.push(stream.slice(i, i + size)));
      expect(got).toEqual(whole);
    }
  });

  it('keeps an unfinished message until its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('id: 1\ndata: x\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: '1', data: 'x' }]);
  });
});
