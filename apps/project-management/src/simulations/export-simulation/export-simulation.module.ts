import { Module } from '@nestjs/common';
import { ExportSimulationHttpController } from './export-simulation.http.controller';
import { SimulationExport } from './simulation-export';

@Module({
  controllers: [ExportSimulationHttpController],
  providers: [SimulationExport],
  exports: [SimulationExport],
})
export class ExportSimulationModule {}
