import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { ResumeSimulationHandler } from './resume-simulation.handler';

const resumeBodySchema = z.object({ reason: z.string().min(1).max(2000).default('resumed by the user') }).strict();

@ApiTags('simulations')
@Controller('simulations')
export class ResumeSimulationHttpController {
  constructor(private readonly handler: ResumeSimulationHandler) {}

  @Post(':id/resume')
  @ApiOperation({
    summary: 'Resume a simulation that failed resumable',
    description:
      'A simulation that infrastructure stopped (`status: "failed"`, `failure.resumable: true`, code INFRASTRUCTURE_UNAVAILABLE) goes on where it was: ' +
      'its suspended agent tasks run again. Accepted (202) once the resume is recorded; like a start it takes a slot, so beyond SIMULATIONS_MAX_RUNNING ' +
      'it waits (`status: "queued"`). GET /simulations/:id shows it running again once SimulationResumed is recorded.',
  })
  @ApiAcceptedResponse({ description: '`{simulationId, status: "resuming", resumption, position}`' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND', 409: ['SIMULATION_NOT_RESUMABLE', 'SIMULATION_RESUME_PENDING'] })
  @Authenticated('write')
  @HttpCode(202)
  resume(@Param('id', UuidParamPipe) id: string, @Body(new ZodBodyPipe(resumeBodySchema)) body: z.output<typeof resumeBodySchema>) {
    return this.handler.execute(id, body.reason);
  }
}
