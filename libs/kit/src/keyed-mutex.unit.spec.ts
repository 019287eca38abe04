import { KeyedMutex } from './keyed-mutex';

const tick = () => new Promise((r) => setImmediate(r));

describe(KeyedMutex.name, () => {
  it('runs one holder per key at a time, in arrival order, while other keys run alongside', async () => {
    const sut = new KeyedMutex();
    const log: string[] = [];
    const gate = (name: string) => {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      return { open, run: () => sut.run(name.split(':')[0], async () => { log.push(`start ${name}`); await opened; log.push(`end ${name}`); }) };
    };
    const a1 = gate('a:1'), a2 = gate('a:2'), b1 = gate('b:1');
    const runs = [a1.run(), a2.run(), b1.run()];
    await tick();
    expect(log).toEqual(['start a:1', 'start b:1']);
    a2.open();
    await tick();
    expect(log).not.toContain('start a:2');
    a1.open();
    b1.open();
    await Promise.all(runs);
    expect(log.indexOf('start a:2')).toBeGreaterThan(log.indexOf('end a:1'));
  });

  it('releases the key when a holder fails, and passes its error on', async () => {
    const sut = new KeyedMutex();
    await expect(sut.run('k', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(sut.run('k', async () => 42)).resolves.toBe(42);
    expect((sut as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });
});
