import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { z } from 'zod';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysRepository } from './api-keys.repository';
import { CreateApiKeyHttpController } from './create-api-key.http.controller';
import { ListApiKeysHttpController } from './list-api-keys.http.controller';
import { RevokeApiKeyHttpController } from './revoke-api-key.http.controller';

export const authConfigSchema = z.object({
  /** The bootstrap key (all scopes). Unset with no key in the table: the API is open. */
  SWE_SIM_API_KEY: z.string().min(16, 'must be at least 16 characters').max(512).optional(),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number({ invalid_type_error: 'must be a number' }).int().min(1).max(1_000_000).default(600),
});

@Module({
  controllers: [CreateApiKeyHttpController, ListApiKeysHttpController, RevokeApiKeyHttpController],
  providers: [ApiKeysRepository, ApiKeyGuard, { provide: APP_GUARD, useExisting: ApiKeyGuard }],
})
export class AuthModule {}
