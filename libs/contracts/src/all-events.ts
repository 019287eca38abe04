import { EventDefinition } from './event-definition';
import { EventRegistry } from './event-registry';
import { ProjectCreated, ProjectStaffingAssessed } from './events/project.events';
import { EventDeadLettered, RpcReplied } from './events/transport.events';
import { LLM_EVENTS } from './events/llm.events';
import { SANDBOX_EVENTS } from './events/sandbox.events';
import { SIMULATION_EVENTS } from './events/simulation.events';
import { TEAM_EVENTS } from './events/team.events';
import { PLANNING_EVENTS } from './events/planning.events';
import { FEATURE_EVENTS } from './events/feature.events';
import { AGENT_EVENTS } from './events/agent.events';
import { ROSTER_EVENTS } from './events/roster.events';
import { BACKLOG_EVENTS } from './events/backlog.events';
import { EXPERIMENT_EVENTS } from './events/experiment.events';
import { IMPORT_EVENTS } from './events/import.events';

/** Every event type of swe-sim. A type missing here cannot be appended. */
export const ALL_EVENTS: readonly EventDefinition[] = [ProjectCreated, ProjectStaffingAssessed, RpcReplied, EventDeadLettered, ...LLM_EVENTS, ...SANDBOX_EVENTS, ...SIMULATION_EVENTS, ...TEAM_EVENTS, ...PLANNING_EVENTS, ...FEATURE_EVENTS, ...AGENT_EVENTS, ...ROSTER_EVENTS, ...BACKLOG_EVENTS, ...EXPERIMENT_EVENTS, ...IMPORT_EVENTS];

export const createEventRegistry = (extra: readonly EventDefinition[] = []) => new EventRegistry([...ALL_EVENTS, ...extra]);
