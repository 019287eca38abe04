import { Module } from '@nestjs/common';
import { AdmissionEventController } from './admission/admission.event.controller';
import { SimulationSlotsRepository } from './admission/simulation-slots.repository';
import { CancelSimulationHandler } from './cancel-simulation/cancel-simulation.handler';
import { CancelSimulationHttpController } from './cancel-simulation/cancel-simulation.http.controller';
import { ResumeSimulationHandler } from './resume-simulation/resume-simulation.handler';
import { ResumeSimulationHttpController } from './resume-simulation/resume-simulation.http.controller';
import { SimulationLifecycle } from './simulation-lifecycle';
import { ExecInWorkspaceModule } from './exec-in-workspace/exec-in-workspace.module';
import { ExportSimulationModule } from './export-simulation/export-simulation.module';
import { ImportSimulationModule } from './import-simulation/import-simulation.module';
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
  imports: [ExportSimulationModule, ImportSimulationModule, ExecInWorkspaceModule],
  controllers: [SimulationStateHttpController, SimulationWorkspaceHttpController, StartSimulationHttpController, CancelSimulationHttpController, ResumeSimulationHttpController, ListSimulationsHttpController, GetSimulationHttpController, SimulationProcessEventController, AdmissionEventController],
  providers: [StartSimulationHandler, CancelSimulationHandler, ResumeSimulationHandler, SimulationLifecycle, SimulationSlotsRepository, SimulationsRepository, SimulationStateHandler, SimulationStateSnapshotsRepository],
  // An experiment's process manager starts, resumes and cancels its runs through these.
  exports: [StartSimulationHandler, CancelSimulationHandler, ResumeSimulationHandler],
})
export class SimulationsModule {}
