import { BadRequestException, Body, Controller, HttpCode, Param, PipeTransform, Post } from '@nestjs/common';
import { z } from 'zod';
import { sandboxImageKindSchema, teamIdSchema } from '@swe-sim/contracts';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UuidParamPipe, ZodBodyPipe } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { ExecInWorkspaceHandler } from './exec-in-workspace.handler';

/** Characters of a command: a script of this size is a file to write, not a command line. */
export const MAX_CMD_CHARS = 16 * 1024;
export const MAX_EXEC_TIMEOUT_MS = 300_000;

/**
 * A string runs under /bin/sh -c, an array is an argv (no shell): either way in the hardened
 * sandbox, so shell metacharacters are only the command's own business.
 */
export const execBodySchema = z
  .object({
    cmd: z.union([
      z.string().min(1).max(MAX_CMD_CHARS),
      z
        .array(z.string().max(MAX_CMD_CHARS))
        .min(1)
        .max(256)
        .refine((argv) => (argv[0] ?? '').length > 0, 'the program (first element) must not be empty')
        .refine((argv) => argv.reduce((n, a) => n + a.length, 0) <= MAX_CMD_CHARS, `must be at most ${MAX_CMD_CHARS} characters in all`),
    ]),
    timeoutMs: z.number().int().min(100).max(MAX_EXEC_TIMEOUT_MS).default(30_000),
    /** Default: the simulation's stack. */
    image: sandboxImageKindSchema.optional(),
  })
  .strict();

/** A team id in the path (a malformed one is a 400 naming `teamId`; a well-formed unknown one a 404). */
class TeamIdParamPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (teamIdSchema.safeParse(value).success) return value;
    throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'teamId: must be 1–64 of [a-zA-Z0-9_.-], starting with a letter or digit', field: 'teamId' });
  }
}

@ApiTags('simulations')
@Controller('simulations')
export class ExecInWorkspaceHttpController {
  constructor(private readonly handler: ExecInWorkspaceHandler) {}

  /** Runs a command in a fresh sandbox on a throwaway copy of the team's current workspace. */
  @Post(':id/teams/:teamId/exec')
  @ApiOperation({
    summary: "Run a command on a team's workspace",
    description: "In a fresh hardened sandbox on a throwaway copy of the team's current workspace (`repo`: the simulation's repository): nothing it does reaches the simulation's code.",
  })
  @ApiOkResponse({ description: '`{exitCode, stdout, stderr, truncated, timedOut, oomKilled, pidsLimitHit, durationMs}`' })
  @ApiErrors({ 404: ['SIMULATION_NOT_FOUND', 'TEAM_NOT_FOUND'], 503: 'SANDBOX_UNAVAILABLE', 504: 'SANDBOX_TIMEOUT' })
  @Authenticated('write')
  @HttpCode(200)
  exec(@Param('id', UuidParamPipe) id: string, @Param('teamId', TeamIdParamPipe) teamId: string, @Body(new ZodBodyPipe(execBodySchema)) body: z.output<typeof execBodySchema>) {
    return this.handler.execute(id, teamId, body);
  }
}
