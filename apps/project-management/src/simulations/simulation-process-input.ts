import { EventData, EstimateSuspended, EventMetadata } from '@swe-sim/contracts';
import { PROCESS_INPUT_TYPES, ProcessInput } from './simulation-process';

const INPUTS: ReadonlySet<string> = new Set(PROCESS_INPUT_TYPES);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What an event is to the simulation process manager: its simulation and the input to fold, or
 * null when it moves no simulation. The subscription's handlers and the import's fold both read
 * events through this, so an imported history folds to the state its own installation had.
 */
export function processInputOf(event: { type: string; data: unknown; metadata: EventMetadata }): { simulationId: string; input: ProcessInput } | null {
  // Every event of a simulation carries it in its metadata (sandbox facts have it only there).
  const simulationId = event.metadata.simulationId ?? (event.data as { simulationId?: string }).simulationId ?? '';
  if (!UUID.test(simulationId)) return null;
  // A command a user ran on a copy of the workspace (POST …/exec) is not the agents' work.
  if (event.type === 'CommandExecuted' && event.metadata.correlationId.startsWith('exec:')) return null;
  if (event.type === EstimateSuspended.type) {
    // A vote suspended in planning stops the simulation as a suspended task does.
    const v = event.data as EventData<typeof EstimateSuspended>;
    const vote = `vote of ${v.voter} on ${v.featureId} (sprint ${v.sprint}, round ${v.round})`;
    const data = { taskId: vote, simulationId: v.simulationId, step: 'estimate', code: v.code, reason: v.reason, resumptions: v.resumptions };
    return { simulationId, input: { type: 'AgentTaskSuspended', data } as ProcessInput };
  }
  if (!INPUTS.has(event.type)) return null;
  return { simulationId, input: { type: event.type, data: event.data } as ProcessInput };
}
