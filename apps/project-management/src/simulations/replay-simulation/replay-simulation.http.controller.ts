import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { ReplaySimulationHandler, replayBodySchema } from './replay-simulation.handler';

@ApiTags('simulations')
@Controller('simulations')
export class ReplaySimulationHttpController {
  constructor(private readonly handler: ReplaySimulationHandler) {}

  @Post(':id/replay')
  @ApiOperation({
    summary: 'Replay a simulation',
    description:
      'Re-executes an ended simulation against its recorded LLM answers and sandbox results (no LLM call, no sandbox) as a new simulation, and answers whether it produced the same events and, if not, the first divergence. Waits up to `waitMs` for the verdict; after that 202 with the replay\'s id (GET /simulations/{replayId} shows the verdict when it comes).',
  })
  @ApiOkResponse({ description: '`{replayId, originalId, status: "compared", identical, compared {streams, events}, firstDivergence}`' })
  @ApiAcceptedResponse({ description: '`{replayId, originalId, status: "running"}`' })
  @ApiErrors({ 404: 'SIMULATION_NOT_FOUND', 409: 'SIMULATION_RUNNING' })
  @Authenticated('write')
  async replay(
    @Param('id', UuidParamPipe) id: string,
    @Body(new ZodBodyPipe(replayBodySchema)) body: z.output<typeof replayBodySchema>,
    @Res({ passthrough: true }) res: { status(code: number): unknown },
  ) {
    const answer = await this.handler.execute(id, body);
    res.status(answer.status === 'compared' ? 200 : 202);
    return answer;
  }
}
