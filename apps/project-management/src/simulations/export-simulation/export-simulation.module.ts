import { Module } from '@nestjs/common';
import { ExportSimulationHttpController } from './export-simulation.http.controller';
import { SimulationsRepository } from '../simulations.repository';
import { SimulationBundle } from './simulation-bundle';
import { SimulationExport } from './simulation-export';

@Module({
  controllers: [ExportSimulationHttpController],
  providers: [SimulationExport, SimulationBundle, SimulationsRepository],
  exports: [SimulationExport],
})
export class ExportSimulationModule {}
