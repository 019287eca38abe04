import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Pool } from 'pg';
import { EventStoreServer } from '@swe-sim/transport';
import { ApiErrors } from './openapi';
import { Public } from './public-route';
import { PG_POOL, SERVICE_NAME } from './tokens';

@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly server: EventStoreServer,
  ) {}

  /** 200 when the database answers (503 when not); the body tells whether this instance is the active consumer and its lag. */
  @Get()
  @ApiOperation({ summary: 'Health', description: 'Whether the database answers, whether this instance is the active event consumer, and its lag. Needs no key.' })
  @ApiOkResponse({ description: '`{status: "ok", service, pid, database, ...}`' })
  @ApiErrors({ 503: 'UNAVAILABLE' })
  async check() {
    const database = await this.pool
      .query('SELECT 1')
      .then(() => 'up' as const)
      .catch(() => 'down' as const);
    if (database === 'down') {
      throw new HttpException(
        { code: 'UNAVAILABLE', message: 'The database does not answer', status: 'unavailable', service: this.service, pid: process.pid, database },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    const transport = await this.server.health().catch((err: Error) => ({ error: err.message }));
    return { status: 'ok', service: this.service, pid: process.pid, database, ...transport };
  }
}
