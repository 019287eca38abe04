import { randomUUID } from 'node:crypto';
import { SandboxEvent } from './sandbox.decider';

/** Test data: a SandboxCreated of a python sandbox on team-a's workspace. */
export const aSandboxCreated = (sandboxId: string, requestId: string = randomUUID()): SandboxEvent => ({
  type: 'SandboxCreated',
  data: {
    sandboxId,
    requestId,
    simulationId: randomUUID(),
    teamId: 'team-a',
    workspaceId: 'sim/team-a',
    imageKind: 'python',
    image: 'swe-sim/sandbox-python:abc',
    limits: { memoryBytes: 512 * 1024 * 1024, nanoCpus: 1e9, pidsLimit: 256, tmpfsBytes: 64 * 1024 * 1024 },
    runtime: null,
    engine: 'default',
    containerName: `swe-sim-sbx-${sandboxId}`,
    containerId: 'c0ffee',
    fromPool: false,
    instanceId: 'sc-1',
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  },
});
