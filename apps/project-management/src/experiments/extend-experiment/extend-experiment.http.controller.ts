import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { seedsSchema, variantsSchema } from '../create-experiment/experiment-spec';
import { ExperimentControlHandler } from '../experiment-control.handler';

const extendBodySchema = z
  .object({ seeds: seedsSchema.optional(), variants: variantsSchema.optional() })
  .strict()
  .refine((b) => (b.seeds?.length ?? 0) + (b.variants?.length ?? 0) > 0, { message: 'give seeds or variants to add', path: ['seeds'] });

@ApiTags('experiments')
@Controller('experiments')
export class ExtendExperimentHttpController {
  constructor(private readonly handler: ExperimentControlHandler) {}

  @Post(':id/extend')
  @ApiOperation({
    summary: 'Extend an experiment with more seeds or variants',
    description: 'New seeds run under every variant; new variants (never a second control) run every seed. Only the new runs start; a completed experiment goes on.',
  })
  @ApiAcceptedResponse({ description: '`{experimentId, status, changed, runs, position}`' })
  @ApiErrors({ 404: 'EXPERIMENT_NOT_FOUND', 409: 'EXPERIMENT_ENDED' })
  @Authenticated('write')
  @HttpCode(202)
  extend(@Param('id', UuidParamPipe) id: string, @Body(new ZodBodyPipe(extendBodySchema)) body: z.output<typeof extendBodySchema>) {
    return this.handler.execute(id, { type: 'ExtendExperiment', seeds: body.seeds ?? [], variants: body.variants ?? [] });
  }
}
