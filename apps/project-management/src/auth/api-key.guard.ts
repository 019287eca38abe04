import { CanActivate, ExecutionContext, ForbiddenException, HttpException, HttpStatus, Inject, Injectable, OnApplicationBootstrap, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CONFIG, LOGGER, PUBLIC_ROUTE } from '@swe-sim/service-runtime';
import { StructuredLogger } from '@swe-sim/event-store';
import { ApiKey, ApiKeysRepository, Scope } from './api-keys.repository';
import { REQUIRED_SCOPE } from './authenticated.decorator';

export interface AuthConfig {
  SWE_SIM_API_KEY?: string;
  API_RATE_LIMIT_PER_MINUTE: number;
}

const MAX_TOKEN_LENGTH = 512;

/**
 * Every HTTP route needs `Authorization: Bearer <key>` with the route's scope (401 UNAUTHENTICATED,
 * 403 FORBIDDEN), within the key's rate (429 RATE_LIMITED, Retry-After). The key and its rate bucket
 * are read and updated in the database on every request, in one statement: the limit is shared by
 * every process, and a revoked key is refused from the revocation's commit on (nothing is cached).
 * When no key was ever made and SWE_SIM_API_KEY is unset, the API is open (a local demo) and says so loudly.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate, OnApplicationBootstrap {
  private open = false;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysRepository,
    @Inject(CONFIG) private readonly config: AuthConfig,
    @Inject(LOGGER) private readonly logger: StructuredLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SWE_SIM_API_KEY) {
      const { revokedAt } = await this.keys.upsertBootstrap(this.config.SWE_SIM_API_KEY);
      if (revokedAt) this.logger.error('SWE_SIM_API_KEY names a key revoked through DELETE /api-keys; it stays revoked. Set a new SWE_SIM_API_KEY to get an admin key again.', { revokedAt });
    }
    this.open = !(await this.keys.anyKeyExists());
    if (this.open) {
      this.logger.warn(
        '!!! AUTHENTICATION IS OFF: SWE_SIM_API_KEY is unset and no API key was ever made, so anyone who reaches this port can use the API. Set SWE_SIM_API_KEY for any shared machine. !!!',
        { auth: 'open' },
      );
    }
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true; // event and request handlers are not the public API
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    if (this.open) return true;
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; apiKey?: ApiKey }>();
    const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: 'An API key is required: Authorization: Bearer <key>' });
    const auth = match[1].length <= MAX_TOKEN_LENGTH ? await this.keys.authenticate(match[1], this.config.API_RATE_LIMIT_PER_MINUTE) : null;
    if (!auth) throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: 'The API key is not valid' });
    const key = auth.key;
    if (!auth.granted) {
      const retryAfter = Math.ceil(auth.retryAfterMs / 1000);
      ctx.switchToHttp().getResponse<{ setHeader(n: string, v: string): void }>().setHeader('Retry-After', String(retryAfter));
      throw new HttpException(
        { code: 'RATE_LIMITED', message: `Over ${this.config.API_RATE_LIMIT_PER_MINUTE} requests per minute for this key; retry in ${retryAfter} s`, retryAfterSeconds: retryAfter },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const scope = this.reflector.getAllAndOverride<Scope>(REQUIRED_SCOPE, targets) ?? 'admin';
    if (!key.scopes.includes(scope)) throw new ForbiddenException({ code: 'FORBIDDEN', message: `This API key lacks the ${scope} scope`, requiredScope: scope });
    req.apiKey = key;
    return true;
  }
}
