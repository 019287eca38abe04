import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PUBLIC_ROUTE, serveApiDocs } from '@swe-sim/service-runtime';
import { Scope } from '../auth/api-keys.repository';
import { REQUIRED_SCOPE } from '../auth/authenticated.decorator';

/** Where the document and Swagger UI are served; both public. */
export const OPENAPI_PATH = 'openapi.json';
export const DOCS_PATH = 'docs';

/**
 * GET /openapi.json and GET /docs (Swagger UI from swagger-ui-dist, no CDN). Each route's scope
 * comes from its @Authenticated (admin when it names none, as the guard does); @Public routes need no key.
 */
export function serveProjectManagementApiDocs(app: NestExpressApplication): void {
  const reflector = new Reflector();
  serveApiDocs(app, {
    title: 'swe-sim project-management API',
    description:
      'Projects, simulations, their history and the API keys. Every error is `{"error": {"code", "message", "field"?, "details"?}}`. ' +
      'Send `Authorization: Bearer <key>`; each operation names the scope it needs (`x-required-scope`).',
    version: '1',
    uiPath: DOCS_PATH,
    jsonPath: OPENAPI_PATH,
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (`sws_…` or SWE_SIM_API_KEY) with the scope the operation names' } },
    decorate: ({ controller, handler, operation, addErrors }) => {
      if (reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [handler, controller])) {
        operation.security = [];
        return;
      }
      const scope = reflector.getAllAndOverride<Scope>(REQUIRED_SCOPE, [handler, controller]) ?? 'admin';
      operation.security = [{ apiKey: [] }];
      Object.assign(operation, { 'x-required-scope': scope });
      operation.description = [operation.description, `Needs an API key with the \`${scope}\` scope.`].filter(Boolean).join('\n\n');
      addErrors({ 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 429: 'RATE_LIMITED' });
      operation.responses[429] = {
        description: 'RATE_LIMITED',
        headers: { 'Retry-After': { description: 'Seconds until the key may call again', schema: { type: 'integer', minimum: 1 } } },
      };
    },
  });
}
