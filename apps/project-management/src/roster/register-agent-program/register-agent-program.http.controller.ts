import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { RegisterAgentProgramBody, registerAgentProgramBodySchema } from './agent-program-body';
import { RegisterAgentProgramHandler } from './register-agent-program.handler';

@ApiTags('roster')
@Controller('agent-programs')
export class RegisterAgentProgramHttpController {
  constructor(private readonly handler: RegisterAgentProgramHandler) {}

  @Post()
  @ApiOperation({
    summary: 'Register an agent program',
    description: "A persona's fields plus a program that speaks the OpenAI API: its files, the command that runs it, its stack and time limit (docs/agent-programs.md). Name the returned persona in a roster.",
  })
  @ApiCreatedResponse({ description: '`{personaId, position, persona}`' })
  @ApiErrors({ 409: 'PERSONA_EXISTS' })
  @HttpCode(201)
  @Authenticated('write')
  register(@Body(new ZodBodyPipe(registerAgentProgramBodySchema)) body: RegisterAgentProgramBody) {
    return this.handler.execute(body);
  }
}
