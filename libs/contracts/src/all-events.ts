import { EventDefinition } from './event-definition';
import { EventRegistry } from './event-registry';
import { ProjectCreated, ProjectStaffingAssessed } from './events/project.events';
import { RpcReplied } from './events/transport.events';
import { LlmCallCompleted, LlmCallFailed, LlmCallRequested } from './events/llm.events';

/** Every event type of swe-sim. A type missing here cannot be appended. */
export const ALL_EVENTS: readonly EventDefinition[] = [ProjectCreated, ProjectStaffingAssessed, RpcReplied, LlmCallRequested, LlmCallCompleted, LlmCallFailed];

export const createEventRegistry = (extra: readonly EventDefinition[] = []) => new EventRegistry([...ALL_EVENTS, ...extra]);
