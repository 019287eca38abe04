import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodBodyPipe } from '@swe-sim/service-runtime';
import { ApiKeysRepository, SCOPES } from './api-keys.repository';
import { Authenticated } from './authenticated.decorator';

const createApiKeyBodySchema = z.object({ name: z.string().min(1).max(200), scopes: z.array(z.enum(SCOPES)).min(1).max(3) }).strict();

@ApiTags('api-keys')
@Controller('api-keys')
export class CreateApiKeyHttpController {
  constructor(private readonly keys: ApiKeysRepository) {}

  /** A new key with the given scopes; its value is in this answer only (the server keeps its sha256). */
  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The key is in this answer only; the server keeps its sha256.' })
  @ApiCreatedResponse({ description: '`{keyId, name, scopes, key}`' })
  @HttpCode(201)
  @Authenticated('admin')
  create(@Body(new ZodBodyPipe(createApiKeyBodySchema)) body: z.output<typeof createApiKeyBodySchema>) {
    return this.keys.create(body.name, [...new Set(body.scopes)]);
  }
}
