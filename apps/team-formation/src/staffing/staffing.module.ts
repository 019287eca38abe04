import { Module } from '@nestjs/common';
import { AssessProjectStaffingEventController } from './assess-project-staffing.event.controller';
import { ProjectNeedsRepository } from './project-needs.repository';

@Module({ controllers: [AssessProjectStaffingEventController], providers: [ProjectNeedsRepository] })
export class StaffingModule {}
