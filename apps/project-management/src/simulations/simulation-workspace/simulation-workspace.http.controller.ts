import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { rebuildWorkspace, repositoryWorkspaceId } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { ApiErrors, UuidParamPipe, ZodQueryPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { historyUpTo } from '../simulation-state/simulation-history';
import { positionSchema } from '../simulation-state/simulation-state.http.controller';

const workspaceQuerySchema = z
  .object({
    at: positionSchema.optional(),
    team: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'must be a team id').optional(),
    content: z.enum(['true', 'false']).default('true'),
  })
  .strict();
const INLINE_BYTES = 64 * 1024;

@ApiTags('simulations')
@Controller('simulations')
export class SimulationWorkspaceHttpController {
  constructor(private readonly store: EventStore) {}

  /**
   * The code at a position, rebuilt from events alone (every file write and every change a command
   * made is recorded, contents in the blob table): the repository's main tree and the features'
   * worktrees; with `team`, main and that team's features only.
   */
  @Get(':id/workspace')
  @ApiOperation({ summary: 'The code at a position', description: 'Rebuilt from events alone: each file\'s path, hash and content (UTF-8 up to 64 KiB); with `team`, main and that team\'s features.' })
  @ApiOkResponse({ description: '`{simulationId, position, workspaceId, team, files: [{path, hash, size, content}]}`' })
  @ApiErrors({ 404: ['SIMULATION_NOT_FOUND', 'TEAM_NOT_FOUND'] })
  @Authenticated('read')
  async workspace(@Param('id', UuidParamPipe) id: string, @Query(new ZodQueryPipe(workspaceQuerySchema)) q: z.output<typeof workspaceQuerySchema>) {
    const { events, state } = await historyUpTo(this.store, id, q.at);
    let manifest = [...rebuildWorkspace(events, repositoryWorkspaceId(id))].sort(([a], [b]) => (a < b ? -1 : 1));
    if (q.team) {
      const team = state.teams[q.team];
      if (!team) throw new NotFoundException({ code: 'TEAM_NOT_FOUND', message: `Team ${q.team} is not in simulation ${id} at that position` });
      const trees = team.features.map((f) => `.worktrees/${f}/`);
      manifest = manifest.filter(([path]) => !path.startsWith('.worktrees/') || trees.some((t) => path.startsWith(t)));
    }
    const files = await Promise.all(
      manifest.map(async ([path, hash]) => {
        if (q.content === 'false') return { path, hash };
        const bytes = await this.store.getBlob(hash);
        if (!bytes) return { path, hash, size: null, content: null };
        const text = bytes.toString('utf8');
        const inline = bytes.length <= INLINE_BYTES && Buffer.from(text, 'utf8').equals(bytes);
        return { path, hash, size: bytes.length, content: inline ? text : null };
      }),
    );
    return { simulationId: id, position: state.position, workspaceId: repositoryWorkspaceId(id), team: q.team ?? null, files };
  }
}
