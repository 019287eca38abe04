import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Observable } from 'rxjs';

/**
 * A route that reads no query string refuses one, as a route with a query schema refuses unknown
 * parameters (ZodQueryPipe): a misspelt `?at=` is an error, not silently the default. Runs after the
 * guards (a request without a key is a 401 first).
 */
@Injectable()
export class QueryStringInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const query = context.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query ?? {};
    const [first] = Object.keys(query);
    if (first !== undefined && !readsQuery(context)) {
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: `${first}: unknown query parameter (this route takes none)`, field: first });
    }
    return next.handle();
  }
}

function readsQuery(context: ExecutionContext): boolean {
  const args: Record<string, unknown> = Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {};
  return Object.keys(args).some((k) => Number(k.split(':')[0]) === RouteParamtypes.QUERY);
}
