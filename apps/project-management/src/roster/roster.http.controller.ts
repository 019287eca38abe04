import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_ROSTER, Persona, personaSchema } from '@swe-sim/contracts';
import { ApiErrors, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../auth/authenticated.decorator';
import { PersonaRegistration } from './persona-registration';
import { RosterRepository } from './roster.repository';

@ApiTags('roster')
@Controller('roster')
export class RosterHttpController {
  constructor(
    private readonly registration: PersonaRegistration,
    private readonly roster: RosterRepository,
  ) {}

  /** The personas simulations staff from when they name none: the shipped ones, then those registered. */
  @Get()
  @ApiOperation({ summary: 'The roster', description: 'The personas a simulation staffs from when it names none: the shipped ones, then those registered (`source`).' })
  @ApiOkResponse({ description: '`{items: [{personaId, name, role, seniority, skills, traits, llm?, source}]}`' })
  @Authenticated('read')
  async list() {
    const registered = await this.roster.registered();
    return {
      items: [...DEFAULT_ROSTER.map((p) => ({ ...p, source: 'default' as const })), ...registered.map((p) => ({ ...p, source: 'registered' as const }))],
    };
  }

  /** Adds a persona (skills 1–5, traits, optionally its own model and sampling); an id is taken once. */
  @Post()
  @ApiOperation({ summary: 'Register a persona', description: 'Skills 1–5, traits, optionally its own model and sampling; an id is taken once.' })
  @ApiCreatedResponse({ description: '`{personaId, position}`' })
  @ApiErrors({ 409: 'PERSONA_EXISTS' })
  @HttpCode(201)
  @Authenticated('write')
  register(@Body(new ZodBodyPipe(personaSchema.omit({ program: true }))) persona: Persona) {
    return this.registration.register(persona);
  }
}
