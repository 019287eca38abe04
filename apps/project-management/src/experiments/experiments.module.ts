import { Module } from '@nestjs/common';
import { ExportSimulationModule } from '../simulations/export-simulation/export-simulation.module';
import { ReExecutionModule } from '../simulations/re-execution/re-execution.module';
import { SimulationsModule } from '../simulations/simulations.module';
import { CancelExperimentHttpController } from './cancel-experiment/cancel-experiment.http.controller';
import { CreateExperimentHandler } from './create-experiment/create-experiment.handler';
import { CreateExperimentHttpController } from './create-experiment/create-experiment.http.controller';
import { ExperimentCommands } from './experiment-commands';
import { ExperimentControlHandler } from './experiment-control.handler';
import { ExperimentProcessEventController } from './experiment-process.event.controller';
import { ExperimentResultsHttpController } from './experiment-results/experiment-results.http.controller';
import { ExperimentsRepository } from './experiments.repository';
import { ExperimentExport } from './export-experiment/experiment-export';
import { ExportExperimentHttpController } from './export-experiment/export-experiment.http.controller';
import { ExtendExperimentHttpController } from './extend-experiment/extend-experiment.http.controller';
import { GetExperimentHttpController } from './get-experiment/get-experiment.http.controller';
import { ListExperimentsHttpController } from './list-experiments/list-experiments.http.controller';
import { PauseExperimentHttpController } from './pause-experiment/pause-experiment.http.controller';
import { ResumeExperimentHttpController } from './resume-experiment/resume-experiment.http.controller';

/** Experiments: their process manager (in the subscription), their read models and their API. */
@Module({
  imports: [SimulationsModule, ReExecutionModule, ExportSimulationModule],
  controllers: [
    CreateExperimentHttpController,
    ListExperimentsHttpController,
    GetExperimentHttpController,
    PauseExperimentHttpController,
    ResumeExperimentHttpController,
    CancelExperimentHttpController,
    ExtendExperimentHttpController,
    ExperimentResultsHttpController,
    ExportExperimentHttpController,
    ExperimentProcessEventController,
  ],
  providers: [ExperimentCommands, ExperimentControlHandler, CreateExperimentHandler, ExperimentsRepository, ExperimentExport],
})
export class ExperimentsModule {}
