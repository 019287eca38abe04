import { Module } from '@nestjs/common';
import { GlobalEventsHttpController } from './global-events.http.controller';
import { History } from './history';
import { SimulationEventsHttpController } from './simulation-events.http.controller';

@Module({
  controllers: [SimulationEventsHttpController, GlobalEventsHttpController],
  providers: [History],
})
export class HistoryModule {}
