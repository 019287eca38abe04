import { CanActivate, ExecutionContext, ForbiddenException, HttpException, HttpStatus, Inject, Injectable, OnApplicationBootstrap, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CONFIG, LOGGER, PUBLIC_ROUTE } from '@swe-sim/service-runtime';
import { StructuredLogger } from '@swe-sim/event-store';
import { ApiKey, ApiKeysRepository, Scope } from './api-keys.repository';
import { REQUIRED_SCOPE } from './authenticated.decorator';
import { RateLimiter } from './rate-limiter';

export interface AuthConfig {
  SWE_SIM_API_KEY?: string;
  API_RATE_LIMIT_PER_MINUTE: number;
}

const CACHE_MS = 10_000;
const MAX_TOKEN_LENGTH = 512;

/**
 * Every HTTP route needs `Authorization: Bearer <key>` with the route's scope (401 UNAUTHENTICATED,
 * 403 FORBIDDEN), within the key's rate (429 RATE_LIMITED, Retry-After). When no key exists at
 * start-up and SWE_SIM_API_KEY is unset, the API is open (a local demo) and says so loudly.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate, OnApplicationBootstrap {
  private open = false;
  private readonly limiter: RateLimiter;
  private readonly cache = new Map<string, { key: ApiKey | null; until: number }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysRepository,
    @Inject(CONFIG) private readonly config: AuthConfig,
    @Inject(LOGGER) private readonly logger: StructuredLogger,
  ) {
    this.limiter = new RateLimiter(config.API_RATE_LIMIT_PER_MINUTE);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SWE_SIM_API_KEY) await this.keys.upsertBootstrap(this.config.SWE_SIM_API_KEY);
    this.open = (await this.keys.countActive()) === 0;
    if (this.open) {
      this.logger.warn(
        '!!! AUTHENTICATION IS OFF: SWE_SIM_API_KEY is unset and no API key exists, so anyone who reaches this port can use the API. Set SWE_SIM_API_KEY for any shared machine. !!!',
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
    const key = match[1].length <= MAX_TOKEN_LENGTH ? await this.lookUp(match[1]) : null;
    if (!key) throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: 'The API key is not valid' });
    const waitMs = this.limiter.take(key.keyId);
    if (waitMs > 0) {
      const retryAfter = Math.ceil(waitMs / 1000);
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

  /** Keys cached briefly (a revoked key stops working within CACHE_MS). */
  private async lookUp(token: string): Promise<ApiKey | null> {
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.until > now) return hit.key;
    const key = await this.keys.findByToken(token);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, { key, until: now + CACHE_MS });
    return key;
  }
}
