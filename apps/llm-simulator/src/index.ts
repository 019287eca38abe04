export { createLlmSimulator } from './simulator';
export type { LlmSimulator, LlmSimulatorOptions, SimulatorStats, FaultRates } from './simulator';
export { BatchEngine, DEFAULT_TIMING, theoreticalMaxTokensPerSecond, workloadMaxTokensPerSecond } from './engine';
export type { EngineTiming, EngineStats, EngineOptions, SequenceView } from './engine';
export { Script, FAULT_KINDS, deriveContext } from './script';
export type { FaultKind, ScriptSpec, RuleSpec, RespondSpec, ScriptAnswer } from './script';
export { countTokens, countPromptTokens } from './tokens';
export { errorBody } from './protocol';
export { simulatorOptionsFromEnv } from './env';
