import { z } from 'zod';
import { runService } from '@swe-sim/service-runtime';
import { serveProjectManagementApiDocs } from './api/openapi';
import { serveDashboard } from './dashboard/serve-dashboard';
import { AuthModule, authConfigSchema } from './auth/auth.module';
import { HistoryModule } from './history/history.module';
import { ProjectsModule } from './projects/projects.module';
import { RosterModule } from './roster/roster.module';
import { ReExecutionModule } from './simulations/re-execution/re-execution.module';
import { SimulationsModule } from './simulations/simulations.module';
import { ExperimentsModule } from './experiments/experiments.module';

runService({
  service: 'project-management',
  defaultPort: 3000,
  imports: [AuthModule, RosterModule, ProjectsModule, SimulationsModule, ReExecutionModule, ExperimentsModule, HistoryModule],
  configSchema: z
    .object({
      // The model simulations use unless their configuration names one.
      LLM_MODEL: z.string().min(1).default('sim-model'),
      // Simulations running at once; more wait, queued. 50 keeps the gateway's default 50 requests in flight busy
      // (a simulation has one to a few agents calling the LLM at a time) while bounding sandboxes and database load.
      SIMULATIONS_MAX_RUNNING: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1).max(10_000).default(50),
      // The largest bundle POST /simulations/import takes, decompressed (it is spooled to a temporary file, not held in memory).
      IMPORT_BODY_LIMIT_BYTES: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1024).default(1024 ** 3),
    })
    .merge(authConfigSchema),
  beforeListen: (app) => {
    serveProjectManagementApiDocs(app);
    serveDashboard(app);
  },
});
