import { Global, Module } from '@nestjs/common';
import { SimulationContextEventController } from './simulation-context.event.controller';
import { SimulationContextRepository } from './simulation-context.repository';

@Global()
@Module({ controllers: [SimulationContextEventController], providers: [SimulationContextRepository], exports: [SimulationContextRepository] })
export class ContextModule {}
