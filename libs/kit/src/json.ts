// Comparing JSON values: a canonical text (hashes, equality) and the paths where two values differ.

/** JSON with object keys sorted; undefined members dropped (as JSON.stringify does). */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    const s = JSON.stringify(v);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : stableStringify(x))).join(',')}]`;
  const keys = Object.keys(v as Record<string, unknown>)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

function preview(v: unknown): string {
  const s = stableStringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Paths at which two JSON values differ (at most `limit`), e.g. `messages[3].content: recorded "a" vs now "b"`. */
export function diffValues(recorded: unknown, now: unknown, limit = 5, path = ''): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, p: string) => {
    if (out.length >= limit) return;
    if (a === b) return;
    const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
    if (bothObjects && Array.isArray(a) === Array.isArray(b)) {
      if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) out.push(`${p || '(root)'}.length: recorded ${a.length} vs now ${b.length}`);
        for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${p}[${i}]`);
        return;
      }
      const ao = a as Record<string, unknown>;
      const bo = b as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
      for (const k of keys) walk(ao[k], bo[k], p ? `${p}.${k}` : k);
      return;
    }
    if (stableStringify(a) !== stableStringify(b)) out.push(`${p || '(root)'}: recorded ${preview(a)} vs now ${preview(b)}`);
  };
  walk(recorded, now, path);
  return out;
}
