import { Module } from '@nestjs/common';
import { CancelSimulationHttpController } from './cancel-simulation/cancel-simulation.http.controller';
import { ExecInWorkspaceModule } from './exec-in-workspace/exec-in-workspace.module';
import { ExportSimulationModule } from './export-simulation/export-simulation.module';
import { SimulationStateHandler } from './simulation-state/simulation-state.handler';
import { SimulationStateHttpController } from './simulation-state/simulation-state.http.controller';
import { SimulationStateSnapshotsRepository } from './simulation-state/simulation-state-snapshots.repository';
import { SimulationWorkspaceHttpController } from './simulation-workspace/simulation-workspace.http.controller';
import { GetSimulationHttpController } from './get-simulation/get-simulation.http.controller';
import { ListSimulationsHttpController } from './list-simulations/list-simulations.http.controller';
import { SimulationProcessEventController } from './simulation-process.event.controller';
import { SimulationsRepository } from './simulations.repository';
import { StartSimulationHandler } from './start-simulation/start-simulation.handler';
import { StartSimulationHttpController } from './start-simulation/start-simulation.http.controller';

@Module({
  imports: [ExportSimulationModule, ExecInWorkspaceModule],
  controllers: [SimulationStateHttpController, SimulationWorkspaceHttpController, StartSimulationHttpController, CancelSimulationHttpController, ListSimulationsHttpController, GetSimulationHttpController, SimulationProcessEventController],
  providers: [StartSimulationHandler, SimulationsRepository, SimulationStateHandler, SimulationStateSnapshotsRepository],
})
export class SimulationsModule {}
