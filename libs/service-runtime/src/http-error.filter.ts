import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { SweSimError } from '@swe-sim/contracts';
import { isConnectionError, StructuredLogger } from '@swe-sim/event-store';

/** The one error body every HTTP error has. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: Record<string, unknown> };
}

/** Codes for HTTP exceptions thrown without one of ours (Nest's own, body parsing, unknown routes). */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'REQUEST_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Store errors that reach a controller unhandled and still mean something to the client. */
const STATUS_BY_STORE_CODE: Record<string, number> = {
  STREAM_VERSION_CONFLICT: HttpStatus.CONFLICT,
  EVENT_DUPLICATE: HttpStatus.CONFLICT,
};

/** Seconds a client should wait before retrying a request that met an unavailable database. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Every HTTP error becomes `{ error: { code, message, field?, details? } }`. A controller throws an
 * HttpException whose response carries `code`, `message` and optionally `field`; any other property
 * goes to `details`. Anything unexpected is a logged 500 INTERNAL with no stack sent to the client.
 * It is installed on the HTTP application only (the RPC side has RpcErrorFilter).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: StructuredLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception); // never ours to answer
    const http = host.switchToHttp();
    const res = http.getResponse();
    const req = http.getRequest();
    if (res.headersSent) {
      // A streamed body cut off by an error: the client sees an incomplete body; the log says why.
      this.logger.error('request failed after its response started', { error: exception instanceof Error ? exception.message : String(exception), method: req?.method, url: req?.url });
      res.end?.();
      return;
    }
    const { status, body } = this.toBody(exception, req);
    if (body.error.code === 'DATABASE_UNAVAILABLE') res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    res.status(status).json(body);
  }

  toBody(exception: unknown, req?: { method?: string; url?: string }): { status: number; body: ErrorBody } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (response && typeof response === 'object' && typeof (response as { code?: unknown }).code === 'string') {
        const { code, message, field, details, ...rest } = response as Record<string, unknown>;
        const all = { ...(details as Record<string, unknown> | undefined), ...rest };
        return {
          status,
          body: {
            error: {
              code: code as string,
              message: typeof message === 'string' ? message : exception.message,
              ...(typeof field === 'string' ? { field } : {}),
              ...(Object.keys(all).length ? { details: all } : {}),
            },
          },
        };
      }
      const message = messageOf(response) ?? exception.message;
      if (status >= 500) this.logger.error('request failed', { status, error: message, method: req?.method, url: req?.url });
      return { status, body: { error: { code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message } } };
    }
    if (exception instanceof SweSimError && STATUS_BY_STORE_CODE[exception.code]) {
      return { status: STATUS_BY_STORE_CODE[exception.code], body: { error: { code: exception.code, message: exception.message } } };
    }
    // A database restarting, cut off or out of connections is not a bug of the request: the client
    // may retry (503 + Retry-After), and nothing was written (every write is one transaction).
    if (isConnectionError(exception)) {
      this.logger.warn('request met an unavailable database', { error: (exception as Error).message, method: req?.method, url: req?.url });
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { error: { code: 'DATABASE_UNAVAILABLE', message: 'The database is unavailable (restarting or out of connections); retry shortly' } },
      };
    }
    this.logger.error('request failed', {
      error: exception instanceof Error ? exception.message : String(exception),
      stack: exception instanceof Error ? exception.stack : undefined,
      method: req?.method,
      url: req?.url,
    });
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body: { error: { code: 'INTERNAL', message: 'Internal error' } } };
  }
}

function messageOf(response: unknown): string | undefined {
  if (typeof response === 'string') return response;
  if (response && typeof response === 'object') {
    const m = (response as { message?: unknown }).message;
    if (typeof m === 'string') return m;
    if (Array.isArray(m)) return m.join('; ');
  }
  return undefined;
}
