import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Persona } from '@swe-sim/contracts';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';

/** pm_personas: the personas registered through the API, in registration order. */
@Injectable()
export class RosterRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async add(db: Queryable, persona: Persona, at: string, position: number): Promise<void> {
    await db.query(
      'INSERT INTO pm_personas (persona_id, persona, registered_at, last_position) VALUES ($1, $2, $3, $4) ON CONFLICT (persona_id) DO NOTHING',
      [persona.personaId, JSON.stringify(persona), at, position],
    );
  }

  async registered(db: Queryable = this.pool): Promise<Persona[]> {
    const r = await db.query('SELECT persona FROM pm_personas ORDER BY last_position');
    return r.rows.map((row) => row.persona);
  }
}
