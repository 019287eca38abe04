import { FairQueue } from './fair-queue';

describe('FairQueue', () => {
  it('serves keys round robin, FIFO within a key', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 5; i++) q.push('A', `a${i}`);
    q.push('B', 'b1');
    q.push('B', 'b2');
    q.push('C', 'c1');
    const order: string[] = [];
    for (let x = q.take(); x !== undefined; x = q.take()) order.push(x);
    expect(order.slice(0, 6)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(order.slice(6)).toEqual(['a4', 'a5']);
    expect(q.size).toBe(0);
  });

  it('a key arriving late gets a turn within one round, not after the backlog', () => {
    const q = new FairQueue<string>();
    for (let i = 1; i <= 100; i++) q.push('A', `a${i}`);
    q.take();
    q.take();
    for (let i = 1; i <= 3; i++) q.push('B', `b${i}`);
    const next = [q.take(), q.take(), q.take(), q.take(), q.take(), q.take()];
    expect(next.filter((x) => x!.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
  });

  it('take honours a predicate and remove() drops a waiter', () => {
    const q = new FairQueue<{ m: string; id: number }>();
    const a1 = { m: 'x', id: 1 };
    q.push('A', a1);
    q.push('A', { m: 'y', id: 2 });
    q.push('B', { m: 'x', id: 3 });
    expect(q.take((i) => i.m === 'y')!.id).toBe(2);
    expect(q.remove('A', a1)).toBe(true);
    expect(q.remove('A', a1)).toBe(false);
    expect(q.keys()).toEqual(['B']);
    expect(q.take()!.id).toBe(3);
    expect(q.take()).toBeUndefined();
  });
});
