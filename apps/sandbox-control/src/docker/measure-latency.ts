/*
 * Latency figures for sandbox-images/README.md (not a test). After `npm run build`:
 *   node dist/apps/sandbox-control/src/docker/measure-latency.js     (MEASURE_N=20)
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { SandboxEngine } from './sandbox-engine';
import { sandboxImageTags } from './sandbox-image-tags';

const N = Number(process.env.MEASURE_N ?? 20);

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)]!);
}

async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const tags = sandboxImageTags();
  const image = tags.python;
  const engine = new SandboxEngine({ instanceId: `measure-${process.pid}` });
  try {
    const cli: number[] = [];
    for (let i = 0; i < N; i++) cli.push(await timeIt(() => execFileSync('docker', ['run', '--rm', image, 'true'])));

    const cold: number[] = [];
    const createOnly: number[] = [];
    const execOnly: number[] = [];
    for (let i = 0; i < N; i++) {
      const id = `measure-${process.pid}-${i}`;
      cold.push(
        await timeIt(async () => {
          createOnly.push(await timeIt(() => engine.createSandbox({ sandboxId: id, simulationId: 'm', image, workspace: { type: 'fresh' } })));
          execOnly.push(await timeIt(() => engine.exec(id, ['true'])));
          await engine.destroySandbox(id, { removeWorkspace: true });
        }),
      );
    }

    const steadyId = `measure-${process.pid}-steady`;
    await engine.createSandbox({ sandboxId: steadyId, simulationId: 'm', image, workspace: { type: 'fresh' } });
    const steadyExec: number[] = [];
    for (let i = 0; i < N; i++) steadyExec.push(await timeIt(() => engine.exec(steadyId, ['true'])));
    const failingExec: number[] = [];
    for (let i = 0; i < N; i++) failingExec.push(await timeIt(() => engine.exec(steadyId, ['false'])));
    await engine.destroySandbox(steadyId, { removeWorkspace: true });

    const pool = engine.enableWarmPool({ image, size: 4 });
    await pool.waitUntilFull();
    const warmClaim: number[] = [];
    const warmExec: number[] = [];
    for (let i = 0; i < N; i++) {
      const id = `measure-${process.pid}-w${i}`;
      await pool.waitUntilFull();
      warmClaim.push(await timeIt(() => engine.createSandbox({ sandboxId: id, simulationId: 'm', image, workspace: { type: 'fresh' } })));
      warmExec.push(await timeIt(() => engine.exec(id, ['true'])));
      await engine.destroySandbox(id, { removeWorkspace: true });
    }
    console.log(
      JSON.stringify(
        {
          n: N,
          image,
          dockerRunRmTrue_p50_ms: p50(cli),
          engineCreateExecDestroy_p50_ms: p50(cold),
          engineCreate_p50_ms: p50(createOnly),
          engineExecTrue_p50_ms: p50(execOnly),
          warmPoolClaim_p50_ms: p50(warmClaim),
          warmPoolExecTrue_p50_ms: p50(warmExec),
          execTrueInRunningSandbox_p50_ms: p50(steadyExec),
          execFalseInRunningSandbox_p50_ms: p50(failingExec),
        },
        null,
        2,
      ),
    );
  } finally {
    await engine.close();
    await engine.reap(() => true, { owner: engine.instanceId });
  }
}

if (require.main === module) {
  void main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
