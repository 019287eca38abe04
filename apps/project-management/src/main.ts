import { z } from 'zod';
import { runService } from '@swe-sim/service-runtime';
import { serveProjectManagementApiDocs } from './api/openapi';
import { AuthModule, authConfigSchema } from './auth/auth.module';
import { HistoryModule } from './history/history.module';
import { ProjectsModule } from './projects/projects.module';
import { RosterModule } from './roster/roster.module';
import { ReExecutionModule } from './simulations/re-execution/re-execution.module';
import { SimulationsModule } from './simulations/simulations.module';

runService({
  service: 'project-management',
  defaultPort: 3000,
  imports: [AuthModule, RosterModule, ProjectsModule, SimulationsModule, ReExecutionModule, HistoryModule],
  configSchema: z
    .object({
      // The model simulations use unless their configuration names one.
      LLM_MODEL: z.string().min(1).default('sim-model'),
    })
    .merge(authConfigSchema),
  beforeListen: serveProjectManagementApiDocs,
});
