import { Injectable } from '@nestjs/common';
import { ExperimentCommand } from './experiment.decider';
import { ExperimentCommands, experimentHttpError } from './experiment-commands';

/** Pause, resume, cancel and extend from the API: recorded at once, acted on by the process manager. */
@Injectable()
export class ExperimentControlHandler {
  constructor(private readonly commands: ExperimentCommands) {}

  async execute(experimentId: string, command: Exclude<ExperimentCommand, { type: 'CreateExperiment' | 'StartRuns' | 'EndRun' }>) {
    try {
      const { state, events } = await this.commands.execute(experimentId, command, { metadata: { actor: 'api' } });
      return { experimentId, status: state.status, changed: events.length > 0, runs: state.runs.length, position: events[0]?.globalPosition ?? null };
    } catch (err) {
      throw experimentHttpError(err);
    }
  }
}

