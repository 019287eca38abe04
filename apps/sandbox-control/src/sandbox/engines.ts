import Docker from 'dockerode';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { SandboxEngine, SandboxLimits } from '../docker';

export interface EngineEntry {
  /** The DOCKER_HOST it talks to, or "default". Recorded in SandboxCreated. */
  key: string;
  engine: SandboxEngine;
}

/** Docker client options for one DOCKER_HOST-style address. */
export function dockerOptionsFor(host: string): Docker.DockerOptions {
  const url = new URL(host);
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: url.pathname };
    case 'tcp:':
    case 'http:':
      return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
    case 'https:':
      return { host: url.hostname, port: Number(url.port || 2376), protocol: 'https' };
    case 'ssh:':
      return { host: url.hostname, port: Number(url.port || 22), protocol: 'ssh', username: url.username || undefined } as Docker.DockerOptions;
    default:
      throw new Error(`unsupported docker host ${host}`);
  }
}

/**
 * Rendezvous hashing: each sandbox goes to the engine with the highest hash(sandboxId, engine).
 * Spreads sandboxes evenly and always picks the same engine for the same id, so a retried
 * request finds the container it may already have made.
 */
export function pickEngineKey(sandboxId: string, keys: readonly string[]): string {
  let best = keys[0]!;
  let bestScore = -1n;
  for (const key of keys) {
    const score = BigInt('0x' + createHash('sha256').update(`${sandboxId}\0${key}`).digest('hex').slice(0, 15));
    if (score > bestScore) {
      best = key;
      bestScore = score;
    }
  }
  return best;
}

export interface EnginesOptions {
  hosts: string[];
  instanceId: string;
  workspaceRoot: string;
  defaultLimits: SandboxLimits;
  runtime?: string;
  maxConcurrentCreates: number;
}

/** The Docker engines sandboxes are spread over (one SandboxEngine each). */
export class Engines {
  readonly entries: EngineEntry[];

  constructor(options: EnginesOptions) {
    const common = {
      instanceId: options.instanceId,
      workspaceRoot: path.join(options.workspaceRoot, '.scratch'),
      allowedWorkspaceRoots: [options.workspaceRoot],
      defaultLimits: options.defaultLimits,
      defaultRuntime: options.runtime,
      maxConcurrentCreates: options.maxConcurrentCreates,
    };
    this.entries =
      options.hosts.length === 0
        ? [{ key: 'default', engine: new SandboxEngine(common) }]
        : options.hosts.map((h) => ({ key: h, engine: new SandboxEngine({ ...common, docker: new Docker(dockerOptionsFor(h)) }) }));
  }

  keys(): string[] {
    return this.entries.map((e) => e.key);
  }

  forSandbox(sandboxId: string): EngineEntry {
    const key = pickEngineKey(sandboxId, this.keys());
    return this.entries.find((e) => e.key === key)!;
  }

  /** The engine recorded for a sandbox; unknown (config changed) falls back to the first. */
  byKey(key: string): EngineEntry | undefined {
    return this.entries.find((e) => e.key === key);
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.engine.close()));
  }
}
