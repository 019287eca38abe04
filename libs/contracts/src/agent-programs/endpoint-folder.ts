import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An agent program's sandbox sees a folder of its own, read-only, at /run/swe-sim: sandbox-control
 * makes it and mounts it, agent-execution serves the LLM endpoint (llm.sock) and writes the
 * program's files there. Both find it as `<AGENT_ENDPOINT_ROOT>/<sandboxId>` on the one host they share.
 */
export const AGENT_ENDPOINT_MOUNT = '/run/swe-sim';
export const DEFAULT_AGENT_ENDPOINT_ROOT = join(tmpdir(), 'swe-sim-endpoints');
export const agentEndpointFolder = (root: string, sandboxId: string) => join(root, sandboxId);
