import { runService } from '@swe-sim/service-runtime';
import { ProjectsModule } from './projects/projects.module';

runService({ service: 'project-management', defaultPort: 3000, imports: [ProjectsModule] });
