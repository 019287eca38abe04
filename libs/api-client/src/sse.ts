/** One server-sent event as the API sends it: `id:` a cursor, `event:` the type, `data:` JSON. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/**
 * An incremental parser of a `text/event-stream` body (the WHATWG format: fields per line, a blank
 * line ends a message, `:` starts a comment, CRLF/CR/LF line ends). Fed chunks as they arrive,
 * cut anywhere, it returns the messages completed by each chunk. `EventSource` cannot send the
 * API key header, so the client reads the stream with `fetch` and this parser.
 */
export class SseParser {
  private buffer = '';
  private current: { id?: string; event?: string; data: string[] } = { data: [] };

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone CR at the buffer's end may be the first half of a CRLF cut between chunks: wait for the next.
      if (this.buffer[end] === '\r' && end === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') {
      const { id, event, data } = this.current;
      this.current = { data: [] };
      return data.length ? { ...(id !== undefined ? { id } : {}), ...(event !== undefined ? { event } : {}), data: data.join('\n') } : undefined;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.current.data.push(value);
    else if (field === 'id') this.current.id = value;
    else if (field === 'event') this.current.event = value;
    return undefined;
  }
}
