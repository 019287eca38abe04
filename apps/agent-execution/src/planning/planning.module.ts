import { Module } from '@nestjs/common';
import { CastEstimateMessageController } from './cast-estimate.message.controller';
import { PlanningEventController } from './planning.event.controller';

@Module({ controllers: [PlanningEventController, CastEstimateMessageController] })
export class PlanningModule {}
