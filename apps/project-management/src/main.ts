import { z } from 'zod';
import { runService } from '@swe-sim/service-runtime';
import { ProjectsModule } from './projects/projects.module';
import { SimulationsModule } from './simulations/simulations.module';

runService({
  service: 'project-management',
  defaultPort: 3000,
  imports: [ProjectsModule, SimulationsModule],
  // The model simulations use unless their configuration names one.
  configSchema: z.object({ LLM_MODEL: z.string().min(1).default('sim-model') }),
});
