import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ZodBodyPipe } from '@swe-sim/service-runtime';
import { CreateProjectBody, CreateProjectHandler, createProjectBodySchema } from './create-project.handler';
import { Authenticated } from '../../auth/authenticated.decorator';

@Controller('projects')
export class CreateProjectHttpController {
  constructor(private readonly handler: CreateProjectHandler) {}

  @Post()
  @Authenticated('write')
  @HttpCode(201)
  create(@Body(new ZodBodyPipe(createProjectBodySchema)) body: CreateProjectBody) {
    return this.handler.execute(body);
  }
}
