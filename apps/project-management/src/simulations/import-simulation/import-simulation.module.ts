import { Module } from '@nestjs/common';
import { ProjectsRepository } from '../../projects/projects.repository';
import { SimulationsRepository } from '../simulations.repository';
import { ImportSimulationHandler } from './import-simulation.handler';
import { ImportSimulationHttpController } from './import-simulation.http.controller';

@Module({
  controllers: [ImportSimulationHttpController],
  providers: [ImportSimulationHandler, SimulationsRepository, ProjectsRepository],
})
export class ImportSimulationModule {}
