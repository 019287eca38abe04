/**
 * A fair queue: one FIFO per key (simulation id), served round robin across keys,
 * so that one simulation with many waiting requests cannot starve another.
 */
export class FairQueue<T> {
  private readonly queues = new Map<string, T[]>();
  /** Keys with waiting items, in round-robin order. */
  private ring: string[] = [];
  /** Index in `ring` of the key to serve next. */
  private cursor = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  sizeOf(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  keys(): string[] {
    return [...this.ring];
  }

  push(key: string, item: T): void {
    let q = this.queues.get(key);
    if (!q) {
      q = [];
      this.queues.set(key, q);
      // A new key joins just before the cursor: it is served after every key already waiting had its turn.
      this.ring.splice(this.cursor, 0, key);
      this.cursor = (this.cursor + 1) % this.ring.length;
      if (this.ring.length === 1) this.cursor = 0;
    }
    q.push(item);
    this.count++;
  }

  /**
   * Takes the next item in round-robin order whose `accept(item)` is true: keys are visited
   * from the cursor; within a key the oldest acceptable item is taken. The cursor then moves
   * past the key that was served.
   */
  take(accept: (item: T) => boolean = () => true): T | undefined {
    const n = this.ring.length;
    for (let step = 0; step < n; step++) {
      const idx = (this.cursor + step) % n;
      const key = this.ring[idx];
      const q = this.queues.get(key)!;
      const pos = q.findIndex(accept);
      if (pos < 0) continue;
      const [item] = q.splice(pos, 1);
      this.count--;
      if (q.length === 0) {
        this.queues.delete(key);
        this.ring.splice(idx, 1);
        this.cursor = this.ring.length === 0 ? 0 : idx % this.ring.length;
      } else {
        this.cursor = (idx + 1) % n;
      }
      return item;
    }
    return undefined;
  }

  /** Removes a specific item (a cancelled waiter). */
  remove(key: string, item: T): boolean {
    const q = this.queues.get(key);
    if (!q) return false;
    const pos = q.indexOf(item);
    if (pos < 0) return false;
    q.splice(pos, 1);
    this.count--;
    if (q.length === 0) {
      this.queues.delete(key);
      const idx = this.ring.indexOf(key);
      this.ring.splice(idx, 1);
      if (idx < this.cursor) this.cursor--;
      if (this.ring.length === 0 || this.cursor >= this.ring.length) this.cursor = 0;
    }
    return true;
  }

  /** Removes and returns every item. */
  drain(): T[] {
    const all: T[] = [];
    for (const key of this.ring) all.push(...this.queues.get(key)!);
    this.queues.clear();
    this.ring = [];
    this.cursor = 0;
    this.count = 0;
    return all;
  }
}
