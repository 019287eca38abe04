import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { SweSimError } from '@swe-sim/contracts';
import { StructuredLogger } from '@swe-sim/event-store';

/**
 * Nest's default RPC filter turns every unknown error into "Internal server error"; we keep the
 * stable code and message so the caller's RpcRemoteError says what went wrong.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: StructuredLogger) {}

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (exception instanceof SweSimError) return throwError(() => ({ code: exception.code, message: exception.message }));
    const message = exception instanceof Error ? exception.message : String(exception);
    this.logger.error('handler failed', { error: message, stack: exception instanceof Error ? exception.stack : undefined });
    return throwError(() => ({ code: 'RPC_HANDLER_FAILED', message }));
  }
}
