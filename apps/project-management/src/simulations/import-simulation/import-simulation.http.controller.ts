import { Controller, Post, Req, Res, UnsupportedMediaTypeException } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@swe-sim/service-runtime';
import { Authenticated } from '../../auth/authenticated.decorator';
import { ImportSimulationHandler } from './import-simulation.handler';

/** Bodies a bundle may come as (gzip is told by its first bytes, whatever the type says). */
const BUNDLE_TYPES: ReadonlySet<string> = new Set(['application/x-ndjson', 'application/jsonl', 'application/gzip', 'application/x-gzip', 'application/octet-stream']);

interface BundleRequest extends AsyncIterable<Buffer> {
  headers: Record<string, string | string[] | undefined>;
}

/** The request itself is the body (no parser reads these types): refused when it is not a bundle's type. */
function bundleBody(req: BundleRequest): AsyncIterable<Buffer> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!BUNDLE_TYPES.has(type)) {
    throw new UnsupportedMediaTypeException({ code: 'UNSUPPORTED_MEDIA_TYPE', message: `A bundle is sent as ${[...BUNDLE_TYPES].join(', ')}; got "${type}"` });
  }
  return req;
}

@ApiTags('simulations')
@Controller('simulations')
export class ImportSimulationHttpController {
  constructor(private readonly handler: ImportSimulationHandler) {}

  @Post('import')
  @ApiOperation({
    summary: 'Import a simulation from a bundle',
    description:
      'Takes a bundle (GET /simulations/{id}/export?format=bundle, gzipped or not) and makes its history a simulation of this installation, with its project: same ids, same events in the same order; it can then be read, replayed and forked. Checked whole before anything is written; the same bundle again answers 200 with `imported: false`. See docs/histories.md.',
  })
  @ApiConsumes('application/x-ndjson', 'application/gzip')
  @ApiBody({ description: 'The bundle: JSON lines, or the same gzipped', schema: { type: 'string', format: 'binary' } })
  @ApiCreatedResponse({ description: '`{imported: true, simulationId, projectId, events {project, simulation}, blobs, projectImported}`' })
  @ApiOkResponse({ description: 'The same bundle was imported before: `{imported: false, …}`' })
  @ApiErrors({ 400: 'BUNDLE_INVALID', 409: ['SIMULATION_EXISTS', 'PROJECT_EXISTS', 'ORIGIN_MISSING'], 413: 'BUNDLE_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' })
  @Authenticated('write')
  async import(@Req() req: BundleRequest, @Res({ passthrough: true }) res: { status(code: number): unknown }) {
    const answer = await this.handler.execute(bundleBody(req));
    res.status(answer.imported ? 201 : 200);
    return answer;
  }
}
