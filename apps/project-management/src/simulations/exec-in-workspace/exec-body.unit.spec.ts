import { BadRequestException } from '@nestjs/common';
import { ZodBodyPipe } from '@swe-sim/service-runtime';
import { MAX_CMD_CHARS, execBodySchema } from './exec-in-workspace.http.controller';

const sut = new ZodBodyPipe(execBodySchema);
const fieldOf = (body: unknown) => {
  try {
    sut.transform(body);
  } catch (err) {
    return ((err as BadRequestException).getResponse() as { field: string }).field;
  }
  return 'no error';
};

describe('the exec body', () => {
  it('takes a shell command or an argv, with a time-out (30 s by default) and an image', () => {
    expect(sut.transform({ cmd: 'ls -la; cat $(echo x) | wc -l && rm -rf / `id`' })).toEqual({ cmd: 'ls -la; cat $(echo x) | wc -l && rm -rf / `id`', timeoutMs: 30_000 });
    expect(sut.transform({ cmd: ['python3', '-c', 'print(1)'], timeoutMs: 1000, image: 'node' })).toEqual({ cmd: ['python3', '-c', 'print(1)'], timeoutMs: 1000, image: 'node' });
    expect(fieldOf({ cmd: 'x'.repeat(MAX_CMD_CHARS) })).toBe('no error');
  });

  it('refuses what is not a command, naming the field', () => {
    expect(fieldOf({})).toBe('cmd');
    expect(fieldOf({ cmd: '' })).toBe('cmd');
    expect(fieldOf({ cmd: [] })).toBe('cmd');
    expect(fieldOf({ cmd: ['', 'x'] })).toBe('cmd');
    expect(fieldOf({ cmd: 42 })).toBe('cmd');
    expect(fieldOf({ cmd: 'x'.repeat(MAX_CMD_CHARS + 1) })).toBe('cmd');
    expect(fieldOf({ cmd: ['echo', 'x'.repeat(MAX_CMD_CHARS)] })).toBe('cmd');
    expect(fieldOf({ cmd: Array(257).fill('a') })).toBe('cmd');
    expect(fieldOf({ cmd: 'ls\u0000' })).toBe('cmd');
    expect(fieldOf({ cmd: 'ls', timeoutMs: 0 })).toBe('timeoutMs');
    expect(fieldOf({ cmd: 'ls', timeoutMs: 1.5 })).toBe('timeoutMs');
    expect(fieldOf({ cmd: 'ls', timeoutMs: 3_600_000 })).toBe('timeoutMs');
    expect(fieldOf({ cmd: 'ls', image: 'ubuntu' })).toBe('image');
    expect(fieldOf({ cmd: 'ls', workdir: '/' })).toBe('workdir');
  });
});
