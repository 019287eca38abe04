import { Module } from '@nestjs/common';
import { ForkSimulationHandler } from '../fork-simulation/fork-simulation.handler';
import { ForkSimulationHttpController } from '../fork-simulation/fork-simulation.http.controller';
import { ReplaySimulationHandler } from '../replay-simulation/replay-simulation.handler';
import { ReplaySimulationHttpController } from '../replay-simulation/replay-simulation.http.controller';
import { ReplayVerdictEventController } from '../replay-simulation/replay-verdict.event.controller';
import { SimulationsRepository } from '../simulations.repository';

/** Re-executions of a simulation's history: replays (checked against it) and forks (continued live). */
@Module({
  controllers: [ReplaySimulationHttpController, ForkSimulationHttpController, ReplayVerdictEventController],
  providers: [ReplaySimulationHandler, ForkSimulationHandler, SimulationsRepository],
  exports: [ReplaySimulationHandler, ForkSimulationHandler],
})
export class ReExecutionModule {}
