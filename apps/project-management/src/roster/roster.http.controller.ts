import { Body, ConflictException, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DEFAULT_ROSTER, Persona, PersonaRegistered, personaSchema, personaStream } from '@swe-sim/contracts';
import { ConcurrencyError, EventStore } from '@swe-sim/event-store';
import { ApiErrors, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../auth/authenticated.decorator';
import { RosterRepository } from './roster.repository';

@ApiTags('roster')
@Controller('roster')
export class RosterHttpController {
  constructor(
    private readonly store: EventStore,
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
  async register(@Body(new ZodBodyPipe(personaSchema)) persona: Persona) {
    if (DEFAULT_ROSTER.some((p) => p.personaId === persona.personaId)) {
      throw new ConflictException({ code: 'PERSONA_EXISTS', message: `${persona.personaId} is in the default roster` });
    }
    try {
      const r = await this.store.append(personaStream(persona.personaId), [{ type: PersonaRegistered.type, data: { persona } }], {
        expectedVersion: 'no_stream',
        metadata: { actor: 'api' },
      });
      return { personaId: persona.personaId, position: r.events[0].globalPosition };
    } catch (err) {
      if (err instanceof ConcurrencyError) throw new ConflictException({ code: 'PERSONA_EXISTS', message: `${persona.personaId} is already registered` });
      throw err;
    }
  }
}
