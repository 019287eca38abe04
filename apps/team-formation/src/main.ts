import { runService } from '@swe-sim/service-runtime';
import { FormationModule } from './formation/formation.module';
import { StaffingModule } from './staffing/staffing.module';

runService({ service: 'team-formation', defaultPort: 3001, imports: [StaffingModule, FormationModule] });
