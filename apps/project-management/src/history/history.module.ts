import { Module } from '@nestjs/common';
import { GlobalEventsHttpController } from './global-events.http.controller';
import { EventsWakeup } from './events-wakeup';
import { History } from './history';
import { SimulationEventStreamHttpController } from './simulation-event-stream.http.controller';
import { SimulationEventsHttpController } from './simulation-events.http.controller';

@Module({
  controllers: [SimulationEventsHttpController, SimulationEventStreamHttpController, GlobalEventsHttpController],
  providers: [History, EventsWakeup],
})
export class HistoryModule {}
