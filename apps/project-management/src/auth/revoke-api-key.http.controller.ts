import { Controller, Delete, NotFoundException, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UuidParamPipe } from '@swe-sim/service-runtime';
import { ApiKeySummary, ApiKeysRepository } from './api-keys.repository';
import { Authenticated } from './authenticated.decorator';

@ApiTags('api-keys')
@Controller('api-keys')
export class RevokeApiKeyHttpController {
  constructor(private readonly keys: ApiKeysRepository) {}

  /**
   * Revokes a key: every process refuses it (401) from now on. Revoking it again answers the same
   * (the first revocation's time). The bootstrap key too: it stays revoked across restarts with the
   * same SWE_SIM_API_KEY; a new SWE_SIM_API_KEY makes a new bootstrap key.
   */
  @Delete(':id')
  @Authenticated('admin')
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'Every process refuses the key with 401 from the revocation on (keys are not cached). Idempotent: revoking a revoked key answers the same, with the first `revokedAt`. The bootstrap key may be revoked too; it stays revoked across restarts until `SWE_SIM_API_KEY` is given a new value.',
  })
  @ApiOkResponse({ description: 'The key as listed: `{keyId, name, scopes, createdAt, lastUsedAt, revokedAt}`' })
  @ApiErrors({ 404: 'API_KEY_NOT_FOUND' })
  async revoke(@Param('id', UuidParamPipe) id: string): Promise<ApiKeySummary> {
    const key = await this.keys.revoke(id);
    if (!key) throw new NotFoundException({ code: 'API_KEY_NOT_FOUND', message: `API key ${id} not found` });
    return key;
  }
}
