import type { ContainerCreateOptions, MountSettings } from 'dockerode';
import { AGENT_ENDPOINT_MOUNT } from '@swe-sim/contracts';
import { SandboxLimits } from './sandbox-types';

/** uid:gid of the `sandbox` user baked into every sandbox image. */
export const SANDBOX_USER = '1000:1000';
export const SANDBOX_UID = 1000;
export const WORKSPACE_MOUNT_POINT = '/workspace';
export const SANDBOX_HOME = '/home/sandbox';

export type WorkspaceMount =
  | { type: 'bind'; hostPath: string }
  | { type: 'volume'; name: string };

export interface HardenedContainerInput {
  name: string;
  image: string;
  labels: Record<string, string>;
  limits: SandboxLimits;
  workspace: WorkspaceMount;
  env?: Record<string, string>;
  runtime?: string;
  /** A host folder mounted read-only at /run/swe-sim (an agent program's LLM endpoint); none for other sandboxes. */
  endpointHostPath?: string;
}

export function envList(env: Record<string, string> | undefined): string[] {
  return Object.entries(env ?? {}).map(([k, v]) => {
    if (k === '' || k.includes('=') || k.includes('\0') || v.includes('\0')) {
      throw new Error(`invalid environment variable name/value: ${JSON.stringify(k)}`);
    }
    return `${k}=${v}`;
  });
}

/**
 * Docker create options for an untrusted-code container. Every knob that matters is
 * set explicitly instead of relying on engine defaults:
 * no network, no capabilities, no-new-privileges, uid 1000, read-only root with
 * size-limited tmpfs for /tmp and $HOME, memory (no swap) / CPU / pids limits, an init
 * process that reaps zombies, and no mount but the workspace (never the docker socket).
 * The main process only idles; commands run through exec.
 */
export function hardenedContainerOptions(input: HardenedContainerInput): ContainerCreateOptions {
  const { limits } = input;
  const tmpfsOpts = `rw,nosuid,nodev,size=${limits.tmpfsBytes}`;
  return {
    name: input.name,
    Image: input.image,
    Cmd: ['sleep', 'infinity'],
    Entrypoint: [],
    User: SANDBOX_USER,
    WorkingDir: WORKSPACE_MOUNT_POINT,
    Env: envList(input.env),
    Labels: { ...input.labels },
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    StopTimeout: 1,
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      CapAdd: [],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      ReadonlyRootfs: true,
      // exec allowed on /tmp (compilers, test runners); nosuid/nodev anyway.
      Tmpfs: {
        '/tmp': `${tmpfsOpts},exec,mode=1777`,
        [SANDBOX_HOME]: `${tmpfsOpts},exec,uid=${SANDBOX_UID},gid=${SANDBOX_UID},mode=0700`,
      },
      Mounts: [
        workspaceMount(input.workspace),
        // Read-only: the program connects to the socket (no write permission on a mount is needed for that) and reads its files.
        ...(input.endpointHostPath ? [{ Type: 'bind' as const, Source: input.endpointHostPath, Target: AGENT_ENDPOINT_MOUNT, ReadOnly: true }] : []),
      ],
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      NanoCpus: limits.nanoCpus,
      PidsLimit: limits.pidsLimit,
      Ulimits: [{ Name: 'nofile', Soft: 4096, Hard: 4096 }],
      Init: true,
      IpcMode: 'private',
      AutoRemove: false,
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'none', Config: {} },
      ...(input.runtime ? { Runtime: input.runtime } : {}),
    },
  };
}

function workspaceMount(ws: WorkspaceMount): MountSettings {
  if (ws.type === 'bind') {
    // Mounts (not Binds): docker refuses a missing source instead of creating it as root.
    return { Type: 'bind', Source: ws.hostPath, Target: WORKSPACE_MOUNT_POINT, ReadOnly: false };
  }
  return { Type: 'volume', Source: ws.name, Target: WORKSPACE_MOUNT_POINT, ReadOnly: false };
}
