import { Global, Module } from '@nestjs/common';
import { RosterHttpController } from './roster.http.controller';
import { RosterProjection } from './roster.projection';
import { RosterRepository } from './roster.repository';

@Global()
@Module({ controllers: [RosterHttpController, RosterProjection], providers: [RosterRepository], exports: [RosterRepository] })
export class RosterModule {}
