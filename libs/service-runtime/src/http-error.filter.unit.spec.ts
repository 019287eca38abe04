import { BadRequestException, ConflictException, HttpException, NotFoundException } from '@nestjs/common';
import { ConcurrencyError } from '@swe-sim/event-store';
import { HttpErrorFilter } from './http-error.filter';

describe('HttpErrorFilter', () => {
  const logged: unknown[] = [];
  const filter = new HttpErrorFilter({ info: () => undefined, warn: () => undefined, error: (...a: unknown[]) => logged.push(a) });

  it('keeps our code, message and field, and moves the rest to details', () => {
    expect(filter.toBody(new BadRequestException({ code: 'VALIDATION_FAILED', message: 'name: Required', field: 'name' }))).toEqual({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', message: 'name: Required', field: 'name' } },
    });
    expect(filter.toBody(new ConflictException({ code: 'PROJECT_BACKLOG_PENDING', message: 'pending', backlogStatus: 'pending' })).body).toEqual({
      error: { code: 'PROJECT_BACKLOG_PENDING', message: 'pending', details: { backlogStatus: 'pending' } },
    });
  });

  it("gives Nest's own exceptions a code by status", () => {
    expect(filter.toBody(new NotFoundException('Cannot GET /x')).body).toEqual({ error: { code: 'ROUTE_NOT_FOUND', message: 'Cannot GET /x' } });
    expect(filter.toBody(new HttpException('slow down', 429)).body.error.code).toBe('RATE_LIMITED');
  });

  it('maps a stream conflict to 409 and anything else to a logged 500 without the stack', () => {
    expect(filter.toBody(new ConcurrencyError('s', 1, 2) as never).status).toBe(409);
    const r = filter.toBody(new Error('secret detail at /srv/x.ts:1'));
    expect(r).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error' } } });
    expect(JSON.stringify(logged)).toContain('secret detail');
  });
});

describe('HttpErrorFilter and an unavailable database', () => {
  const filter = new HttpErrorFilter({ info: () => undefined, warn: () => undefined, error: () => undefined });
  const fakeResponse = () => {
    const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
    const res = {
      headersSent: false,
      setHeader: (k: string, v: string) => (sent.headers[k] = v),
      status: (s: number) => ((sent.status = s), res),
      json: (b: unknown) => (sent.body = b),
    };
    const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ method: 'POST', url: '/projects' }) }) };
    return { sent, host: host as never };
  };

  it.each([
    ['too many clients (53300)', Object.assign(new Error('sorry, too many clients already'), { code: '53300' })],
    ['admin shutdown (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a cut connection', new Error('Connection terminated unexpectedly')],
  ])('answers %s with 503 DATABASE_UNAVAILABLE and Retry-After', (_what, err) => {
    const { sent, host } = fakeResponse();
    filter.catch(err, host);
    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('2');
    expect((sent.body as { error: { code: string } }).error.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('still answers a query error that is not about the connection with a 500', () => {
    const { sent, host } = fakeResponse();
    filter.catch(Object.assign(new Error('column "x" does not exist'), { code: '42703' }), host);
    expect(sent.status).toBe(500);
    expect(sent.headers['Retry-After']).toBeUndefined();
  });
});

describe('GET /health when the database is down', () => {
  it('is a 503 UNAVAILABLE in the common body, with what it knows in details', async () => {
    const { HealthController } = await import('./health.controller');
    const down = new HealthController({ query: () => Promise.reject(new Error('ECONNREFUSED')) } as never, 'svc', {} as never);
    const err = await down.check().catch((e: unknown) => e);
    const filter = new HttpErrorFilter({ info: () => undefined, warn: () => undefined, error: () => undefined });
    expect(filter.toBody(err)).toEqual({
      status: 503,
      body: { error: { code: 'UNAVAILABLE', message: 'The database does not answer', details: { status: 'unavailable', service: 'svc', pid: process.pid, database: 'down' } } },
    });
  });
});
