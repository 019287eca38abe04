import { withEngineDeadline } from './engine-deadline';

describe('withEngineDeadline', () => {
  it('abandons a call the engine never answers: SANDBOX_ENGINE_ERROR, and the call is told to abort', async () => {
    let signal: AbortSignal | undefined;
    const t0 = Date.now();
    const err = await withEngineDeadline('starting swe-sim-sbx-x', 50, (s) => {
      signal = s;
      return new Promise<never>(() => undefined);
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'SANDBOX_ENGINE_ERROR', message: expect.stringContaining('starting swe-sim-sbx-x: no answer from the Docker engine within 50 ms') });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(signal?.aborted).toBe(true);
  });

  it("passes an answer (or the engine's own error) through, without aborting", async () => {
    let signal: AbortSignal | undefined;
    await expect(withEngineDeadline('x', 1000, async (s) => ((signal = s), 42))).resolves.toBe(42);
    expect(signal?.aborted).toBe(false);
    await expect(withEngineDeadline('x', 1000, async () => Promise.reject(new Error('no such image')))).rejects.toThrow('no such image');
  });
});
