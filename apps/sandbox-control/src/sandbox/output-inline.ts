/** Captured output kept in an event when at most this many bytes; more goes to the blob table. */
export const EVENT_INLINE_OUTPUT_BYTES = 4 * 1024;
/** Captured output kept inline in a command reply (per stream, serialised); more is head + marker + tail. */
export const REPLY_INLINE_OUTPUT_BYTES = 48 * 1024;

const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s), 'utf8');

/**
 * Text that fits `budget` bytes once JSON-encoded (control characters can take 6 bytes each):
 * the whole text, or its head and tail around a marker naming the blob with everything.
 */
export function inlineOutput(text: string, budget: number, hash: string | undefined): string {
  if (jsonBytes(text) <= budget) return text;
  const marker = (elided: number) => `\n…[${elided} characters elided; the whole output is blob ${hash ?? '(none)'}]…\n`;
  let keep = Math.floor(budget / 2);
  for (;;) {
    const half = Math.max(0, Math.floor(keep / 2));
    const candidate = text.slice(0, half) + marker(text.length - 2 * half) + text.slice(text.length - half);
    if (jsonBytes(candidate) <= budget || half === 0) return candidate;
    keep = Math.floor(keep / 2);
  }
}
