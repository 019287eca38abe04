import { EventStore1764300000000 } from './migrations/1764300000000-event-store';
import { ProjectManagementReadModels1764300001000 } from './migrations/1764300001000-project-management-read-models';
import { TeamFormationReadModels1764300002000 } from './migrations/1764300002000-team-formation-read-models';
import { SandboxControlReadModels1764300003000 } from './migrations/1764300003000-sandbox-control-read-models';
import { ProjectManagementSimulations1764300004000 } from './migrations/1764300004000-project-management-simulations';
import { TeamFormationTeams1764300005000 } from './migrations/1764300005000-team-formation-teams';
import { AgentExecutionContext1764300006000 } from './migrations/1764300006000-agent-execution-context';
import { AgentExecutionSimulationEnd1764300007000 } from './migrations/1764300007000-agent-execution-simulation-end';
import { ProjectManagementBacklog1764300008500 } from './migrations/1764300008500-project-management-backlog';
import { ProjectManagementApiKeys1764300009000 } from './migrations/1764300009000-project-management-api-keys';
import { ProjectManagementListOrder1764300010000 } from './migrations/1764300010000-project-management-list-order';
import { ProjectManagementPersonas1764300011000 } from './migrations/1764300011000-project-management-personas';
import { ProjectManagementApiKeyUsage1764300012000 } from './migrations/1764300012000-project-management-api-key-usage';
import { ProjectManagementStateSnapshots1764300013000 } from './migrations/1764300013000-project-management-state-snapshots';
import { AgentExecutionSuspension1764300014100 } from './migrations/1764300014100-agent-execution-suspension';
import { ProjectManagementSimulationSlots1764300015000 } from './migrations/1764300015000-project-management-simulation-slots';
import { SandboxControlOwnerEnds1764300014700 } from './migrations/1764300014700-sandbox-control-owner-ends';
import { AgentExecutionSuspendedVotes1764300016000 } from './migrations/1764300016000-agent-execution-suspended-votes';
import { ProjectManagementExperiments1764300017000 } from './migrations/1764300017000-project-management-experiments';

/** Every migration, in order. Each service owns its tables; the schema is one ordered history. */
export const ALL_MIGRATIONS = [EventStore1764300000000, ProjectManagementReadModels1764300001000, TeamFormationReadModels1764300002000, SandboxControlReadModels1764300003000, ProjectManagementSimulations1764300004000, TeamFormationTeams1764300005000, AgentExecutionContext1764300006000, AgentExecutionSimulationEnd1764300007000, ProjectManagementBacklog1764300008500, ProjectManagementApiKeys1764300009000, ProjectManagementListOrder1764300010000, ProjectManagementPersonas1764300011000, ProjectManagementApiKeyUsage1764300012000, ProjectManagementStateSnapshots1764300013000, AgentExecutionSuspension1764300014100, SandboxControlOwnerEnds1764300014700, ProjectManagementSimulationSlots1764300015000, AgentExecutionSuspendedVotes1764300016000, ProjectManagementExperiments1764300017000];
