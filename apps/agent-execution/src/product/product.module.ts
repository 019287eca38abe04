import { Module } from '@nestjs/common';
import { DecomposeBacklogMessageController } from './decompose-backlog.message.controller';

/** The product-manager agent: backlogs decomposed from project descriptions. */
@Module({ controllers: [DecomposeBacklogMessageController] })
export class ProductModule {}
