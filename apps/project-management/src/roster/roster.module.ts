import { Global, Module } from '@nestjs/common';
import { PersonaRegistration } from './persona-registration';
import { RegisterAgentProgramHandler } from './register-agent-program/register-agent-program.handler';
import { RegisterAgentProgramHttpController } from './register-agent-program/register-agent-program.http.controller';
import { RosterHttpController } from './roster.http.controller';
import { RosterProjection } from './roster.projection';
import { RosterRepository } from './roster.repository';

@Global()
@Module({
  controllers: [RosterHttpController, RegisterAgentProgramHttpController, RosterProjection],
  providers: [RosterRepository, PersonaRegistration, RegisterAgentProgramHandler],
  exports: [RosterRepository],
})
export class RosterModule {}
