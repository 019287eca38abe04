import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodQueryPipe } from '@swe-sim/service-runtime';
import { Page, decodeListCursor, encodeListCursor, pageQuerySchema } from '../api/cursor';
import { ApiKeySummary, ApiKeysRepository } from './api-keys.repository';
import { Authenticated } from './authenticated.decorator';

@ApiTags('api-keys')
@Controller('api-keys')
export class ListApiKeysHttpController {
  constructor(private readonly keys: ApiKeysRepository) {}

  /** Keys, newest first, revoked ones included; never a key or its hash. */
  @Get()
  @Authenticated('admin')
  @ApiOperation({ summary: 'List API keys', description: 'Newest first, revoked ones included (`revokedAt`); never the key or its hash. `lastUsedAt` is the last request the key was let through.' })
  @ApiOkResponse({ description: '`{items: [{keyId, name, scopes, createdAt, lastUsedAt, revokedAt}], nextCursor}`' })
  async list(@Query(new ZodQueryPipe(pageQuerySchema)) q: z.output<typeof pageQuerySchema>): Promise<Page<ApiKeySummary>> {
    const page = await this.keys.list(q.limit, decodeListCursor(q.cursor));
    return { items: page.items, nextCursor: page.more && page.last ? encodeListCursor(page.last) : null };
  }
}
