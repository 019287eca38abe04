import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ZodBodyPipe } from '@swe-sim/service-runtime';
import { CreateProjectBody, CreateProjectHandler, createProjectBodySchema } from './create-project.handler';
import { Authenticated } from '../../auth/authenticated.decorator';

@ApiTags('projects')
@Controller('projects')
export class CreateProjectHttpController {
  constructor(private readonly handler: CreateProjectHandler) {}

  @Post()
  @ApiOperation({ summary: 'Create a project', description: 'Without a backlog, a product-manager agent decomposes the description (the backlog is `pending` meanwhile).' })
  @ApiCreatedResponse({ description: '`{projectId}`' })
  @Authenticated('write')
  @HttpCode(201)
  create(@Body(new ZodBodyPipe(createProjectBodySchema)) body: CreateProjectBody) {
    return this.handler.execute(body);
  }
}
