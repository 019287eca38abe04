// Input checks shared by every function: bad input throws a clear Error naming the argument,
// so a NaN never leaks silently into a p-value or an interval.

export function assertFiniteValues(values: readonly number[], name: string): void {
  if (!Array.isArray(values)) throw new Error(`${name} must be an array of numbers`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name}[${i}] must be a finite number, got ${String(v)}`);
  }
}

export function assertSameLength(a: readonly number[], b: readonly number[], what: string): void {
  if (a.length !== b.length) throw new Error(`${what} needs two samples of the same length, got ${a.length} and ${b.length}`);
}

export function assertLevel(level: number): void {
  if (typeof level !== 'number' || !(level > 0 && level < 1)) throw new Error(`level must be a number strictly between 0 and 1, got ${String(level)}`);
}

export function assertPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${String(value)}`);
}

export function assertSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${String(seed)}`);
}
