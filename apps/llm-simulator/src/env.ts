import { EngineTiming } from './engine';
import { FAULT_KINDS, FaultKind, Script } from './script';
import { LlmSimulatorOptions } from './simulator';

/**
 * Simulator options from the environment:
 *   LLM_SIM_PORT (8000), LLM_SIM_HOST (127.0.0.1), LLM_SIM_SCRIPT (path to a JSON script),
 *   LLM_SIM_MODELS (comma-separated; else LLM_MODEL; else sim-model), LLM_SIM_ACCEPT_ANY_MODEL (1/true),
 *   LLM_SIM_TIME_SCALE (1), LLM_SIM_SEED (1), LLM_SIM_MAX_MODEL_LEN, LLM_SIM_MAX_QUEUED,
 *   LLM_SIM_MAX_BATCH, LLM_SIM_BASE_STEP_MS, LLM_SIM_PER_SEQ_STEP_MS, LLM_SIM_PREFILL_TPS,
 *   LLM_SIM_PREFILL_CHUNK, LLM_SIM_FAULT_429 / _500 / _503 / _TIMEOUT / _DROP / _RESET / _MALFORMED (rates 0..1).
 */
export function simulatorOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LlmSimulatorOptions & { port: number; host: string } {
  const num = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const faults: Partial<Record<FaultKind, number>> = {};
  for (const k of FAULT_KINDS) {
    const v = num(`LLM_SIM_FAULT_${k.toUpperCase()}`);
    if (v !== undefined) faults[k] = v;
  }
  const timing: Partial<EngineTiming> = {};
  const set = (key: keyof EngineTiming, name: string) => {
    const v = num(name);
    if (v !== undefined) timing[key] = v;
  };
  set('maxBatch', 'LLM_SIM_MAX_BATCH');
  set('baseStepMs', 'LLM_SIM_BASE_STEP_MS');
  set('perSeqStepMs', 'LLM_SIM_PER_SEQ_STEP_MS');
  set('prefillTokensPerSecond', 'LLM_SIM_PREFILL_TPS');
  set('maxPrefillTokensPerStep', 'LLM_SIM_PREFILL_CHUNK');
  return {
    port: num('LLM_SIM_PORT') ?? 8000,
    host: env.LLM_SIM_HOST || '127.0.0.1',
    // LLM_MODEL as a fallback: `npm start` points agent-execution (LLM_MODEL) at a simulator started with the same env.
    models: (env.LLM_SIM_MODELS || env.LLM_MODEL) ? (env.LLM_SIM_MODELS || env.LLM_MODEL)!.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    acceptAnyModel: env.LLM_SIM_ACCEPT_ANY_MODEL === '1' || env.LLM_SIM_ACCEPT_ANY_MODEL === 'true',
    script: env.LLM_SIM_SCRIPT ? Script.fromFile(env.LLM_SIM_SCRIPT) : undefined,
    timeScale: num('LLM_SIM_TIME_SCALE'),
    seed: num('LLM_SIM_SEED'),
    maxModelLen: num('LLM_SIM_MAX_MODEL_LEN'),
    maxQueued: num('LLM_SIM_MAX_QUEUED'),
    faults,
    timing,
  };
}
