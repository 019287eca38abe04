import { BadRequestException } from '@nestjs/common';
import { decodeEventCursor, decodeListCursor, encodeEventCursor, encodeListCursor, keysetPage, laterCheckpoint } from './cursor';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return ((err as BadRequestException).getResponse() as { field: string }).field;
  }
  return 'no error';
};

describe('cursors', () => {
  it('round-trip list and event positions', () => {
    const p = { at: '2026-11-28T05:37:56.123456Z', id: '3f1b6c1e-8a4e-4c55-9d8e-1f2a3b4c5d6e' };
    expect(decodeListCursor(encodeListCursor(p))).toEqual(p);
    expect(decodeEventCursor(encodeEventCursor({ transactionId: '9007199254740993', position: 42 }))).toEqual({ transactionId: '9007199254740993', position: 42 });
  });

  it('refuse anything else, naming the parameter', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const c of ['', 'x', "' OR 1=1 --", '$(id)', '😀', b64('{}'), b64('{"at":"x","id":"y"}'), b64('{"at":"2026-13-45T99:99:99.000000Z","id":"3f1b6c1e-8a4e-4c55-9d8e-1f2a3b4c5d6e"}'), b64('{"at":"2026-02-30T00:00:00.000000Z","id":"3f1b6c1e-8a4e-4c55-9d8e-1f2a3b4c5d6e"}'), b64('[1]'), b64('null')]) {
      expect(fieldOf(() => decodeListCursor(c))).toBe('cursor');
    }
    for (const c of ['', 'abc', b64('e1:1'), b64('e1:-1:0'), b64('e1:1:1.5'), b64('e1:99999999999999999999:0'), b64('e1:9223372036854775808:0'), b64('e1:1:99999999999999999'), b64('e2:1:1')]) {
      expect(fieldOf(() => decodeEventCursor(c))).toBe('after');
    }
  });

  it('order checkpoints by transaction, then position', () => {
    expect(laterCheckpoint({ transactionId: '10', position: 5 }, { transactionId: '9', position: 50 })).toEqual({ transactionId: '10', position: 5 });
    expect(laterCheckpoint({ transactionId: '10', position: 5 }, { transactionId: '10', position: 6 })).toEqual({ transactionId: '10', position: 6 });
  });
});

describe('keysetPage', () => {
  const rows = [3, 2, 1].map((n) => ({ id: `id-${n}`, sort_at: `2026-12-0${n}T00:00:00.000000Z`, n }));

  it('keeps limit rows, ends at the last one kept, and says more follow when the extra row came', () => {
    expect(keysetPage(rows, 2, 'id', (r) => r.n)).toEqual({ items: [3, 2], last: { at: '2026-12-02T00:00:00.000000Z', id: 'id-2' }, more: true });
  });

  it('is the last page when no extra row came, and an empty one has no end', () => {
    expect(keysetPage(rows, 3, 'id', (r) => r.n)).toMatchObject({ items: [3, 2, 1], more: false });
    expect(keysetPage([], 3, 'id', (r: (typeof rows)[number]) => r.n)).toEqual({ items: [], last: null, more: false });
  });
});
