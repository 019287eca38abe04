import { Module } from '@nestjs/common';
import { FormTeamsEventController } from './form-teams.event.controller';
import { TeamsRepository } from './teams.repository';

@Module({ controllers: [FormTeamsEventController], providers: [TeamsRepository] })
export class FormationModule {}
