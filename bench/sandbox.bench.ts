/**
 * Sandbox figures, each against the docker CLI in the same run:
 * - create + exec `true` + destroy through sandbox-control (a separate process, driven by events),
 *   p50/p95, one at a time and 16 at once, vs `docker run --rm IMAGE true`, two ways:
 *   `sandbox.run_once.*` one SandboxRunRequested (one round trip), and
 *   `sandbox.create_exec_destroy.*` three requests (SandboxRequested, CommandRequested, SandboxReleased);
 * - exec `true` on a warm-pool container (the engine) and CommandRequested `true` on a running
 *   sandbox through the service, vs `docker exec CONTAINER true`.
 * Alone: `npm run build && node dist/bench/sandbox.bench.js`.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { lastValueFrom } from 'rxjs';
import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { createTestDatabase, startService } from '@swe-sim/testing';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';
import { SandboxEngine, sandboxImageTags, SandboxLabel } from '../apps/sandbox-control/src/docker';
import { BenchFigure, figure, now, percentile } from './bench-kit';

const run$ = promisify(execFile);
const SEQUENTIAL = Number(process.env.SANDBOX_BENCH_N ?? 12);
const PARALLEL = 16;
const PARALLEL_ROUNDS = 3;
const EXEC_N = 30;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = now();
  await fn();
  return now() - t0;
}

export async function run(log: (line: string) => void = () => {}): Promise<BenchFigure[]> {
  const image = sandboxImageTags().python;
  const runId = randomUUID().slice(0, 8);
  const instanceId = `sc-bench-${runId}`;
  const simulationId = randomUUID();
  const wsRoot = await fs.mkdtemp(path.join(os.tmpdir(), `sc-bench-${runId}-`));
  const db = await createTestDatabase();
  const store = new EventStore(db.pool, { registry: createEventRegistry() });
  const client = new EventStoreClient({ store, connection: { connectionString: db.url }, service: 'bench', requestTimeoutMs: 120_000, replyPollMs: 100 });
  const engine = new SandboxEngine({ instanceId: `${instanceId}-engine`, workspaceRoot: path.join(wsRoot, 'engine') });
  const service = await startService('sandbox-control', {
    DATABASE_URL: db.url,
    SANDBOX_INSTANCE_ID: instanceId,
    SANDBOX_WORKSPACE_ROOT: wsRoot,
    SANDBOX_MAX_CONCURRENT_CREATES: String(PARALLEL),
    DB_POOL_MAX: '30',
  });
  const figures: BenchFigure[] = [];
  const emit = (f: BenchFigure) => {
    figures.push(f);
    log(JSON.stringify(f));
  };
  const send = (type: string, data: unknown) => lastValueFrom(client.send(type, new EventRecord(data, { metadata: { simulationId } })));
  let n = 0;
  const cycle = () =>
    timed(async () => {
      const sandboxId = `bench-${runId}-${n++}`;
      await send('SandboxRequested', { sandboxId, image: 'python' });
      await send('CommandRequested', { sandboxId, cmd: ['true'] });
      await send('SandboxReleased', { sandboxId });
    });
  const runOnce = () =>
    timed(async () => {
      const reply = (await send('SandboxRunRequested', { sandboxId: `bench-${runId}-${n++}`, image: 'python', cmd: ['true'] })) as { exitCode: number };
      if (reply.exitCode !== 0) throw new Error(`one-shot run answered ${JSON.stringify(reply)}`);
    });
  // A release replies before its container is removed (that finishes in the background): wait for
  // the removals, untimed, so that they do not slow the baseline measured next.
  const removalsDone = async () => {
    while ((await engine.docker.listContainers({ all: true, filters: { label: [`${SandboxLabel.owner}=${instanceId}`] } })).length > 0) {
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const dockerRun = () => timed(() => run$('docker', ['run', '--rm', '--network', 'none', image, 'true']));

  try {
    await client.connect();
    await cycle(); // warm-up: connections, first-use paths
    await removalsDone();
    await dockerRun();

    await runOnce();
    await removalsDone();

    // One at a time, alternating so drift hits all three alike.
    const seq = { once: [] as number[], three: [] as number[], baseline: [] as number[] };
    for (let i = 0; i < SEQUENTIAL; i++) {
      seq.baseline.push(await dockerRun());
      seq.once.push(await runOnce());
      await removalsDone();
      seq.three.push(await cycle());
      await removalsDone();
    }
    for (const p of [50, 95]) {
      emit(figure(`sandbox.run_once.sequential.p${p}`, percentile(seq.once, p), percentile(seq.baseline, p), 'ms', 'lower'));
      emit(figure(`sandbox.create_exec_destroy.sequential.p${p}`, percentile(seq.three, p), percentile(seq.baseline, p), 'ms', 'lower'));
    }

    // 16 at once: the latency of each, over a few rounds.
    const par = { once: [] as number[], three: [] as number[], baseline: [] as number[] };
    for (let r = 0; r < PARALLEL_ROUNDS; r++) {
      par.baseline.push(...(await Promise.all(Array.from({ length: PARALLEL }, () => dockerRun()))));
      par.once.push(...(await Promise.all(Array.from({ length: PARALLEL }, () => runOnce()))));
      await removalsDone();
      par.three.push(...(await Promise.all(Array.from({ length: PARALLEL }, () => cycle()))));
      await removalsDone();
    }
    for (const p of [50, 95]) {
      emit(figure(`sandbox.run_once.${PARALLEL}_at_once.p${p}`, percentile(par.once, p), percentile(par.baseline, p), 'ms', 'lower'));
      emit(figure(`sandbox.create_exec_destroy.${PARALLEL}_at_once.p${p}`, percentile(par.three, p), percentile(par.baseline, p), 'ms', 'lower'));
    }

    // Exec latency on a warm-pool container (engine) vs docker exec on the same container.
    const pool = engine.enableWarmPool({ image, size: 1 });
    await pool.waitUntilFull();
    const warm = await engine.createSandbox({ sandboxId: `bench-${runId}-warm`, simulationId, image, workspace: { type: 'fresh' } });
    if (!warm.fromPool) throw new Error('expected a warm-pool container');
    const warmExec: number[] = [];
    const cliExec: number[] = [];
    for (let i = 0; i < EXEC_N; i++) {
      cliExec.push(await timed(() => run$('docker', ['exec', '-u', '1000:1000', warm.containerName, 'true'])));
      warmExec.push(await timed(() => engine.exec(warm.sandboxId, ['true'])));
    }
    emit(figure('sandbox.warm_pool_exec.p50', percentile(warmExec, 50), percentile(cliExec, 50), 'ms', 'lower'));
    emit(figure('sandbox.warm_pool_exec.p95', percentile(warmExec, 95), percentile(cliExec, 95), 'ms', 'lower'));

    // The same through the service: CommandRequested `true` on a running sandbox, events both ways.
    const sandboxId = `bench-${runId}-svc`;
    await send('SandboxRequested', { sandboxId, image: 'python' });
    const svcExec: number[] = [];
    const svcCli: number[] = [];
    for (let i = 0; i < EXEC_N; i++) {
      svcCli.push(await timed(() => run$('docker', ['exec', '-u', '1000:1000', `swe-sim-sbx-${sandboxId}`, 'true'])));
      svcExec.push(await timed(() => send('CommandRequested', { sandboxId, cmd: ['true'] })));
    }
    await send('SandboxReleased', { sandboxId });
    emit(figure('sandbox.command_requested_exec.p50', percentile(svcExec, 50), percentile(svcCli, 50), 'ms', 'lower'));
    return figures;
  } finally {
    await service.kill('SIGTERM');
    await engine.close();
    await engine.reap(() => true, { owner: engine.instanceId });
    const leftovers = new SandboxEngine({ instanceId });
    await leftovers.reap(() => true, { owner: instanceId });
    await client.close();
    await store.pool.end().catch(() => undefined);
    await db.drop().catch(() => undefined);
    await fs.rm(wsRoot, { recursive: true, force: true });
  }
}

if (require.main === module) {
  run((line) => process.stdout.write(line + '\n')).catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}
