import { randomUUID } from 'node:crypto';
import { aProjectBody, createTestDatabase, RunningService, startService, TestDatabase } from '@swe-sim/testing';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  format?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  summary?: string;
  tags?: string[];
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: Schema } } };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }>; headers?: Record<string, unknown> }>;
  security?: Record<string, string[]>[];
  'x-required-scope'?: 'read' | 'write' | 'admin';
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { type: string; scheme: string }> };
}

/** Bodies each route accepts: every documented body with required fields must have one here. */
const VALID_BODIES: Record<string, () => Record<string, unknown>> = {
  'POST /projects': () => aProjectBody(),
  'POST /api-keys': () => ({ name: 'from the document', scopes: ['read'] }),
  'POST /roster': () => ({ personaId: `p-${randomUUID().slice(0, 8)}`, name: 'Ada', role: 'engineer', seniority: 'senior', skills: { python: 4 }, traits: ['calm'] }),
};

/** Routes Nest did not map (served by the Swagger module itself). */
const DOCS_ROUTES = ['GET /openapi.json', 'GET /docs'];

/** Issue 6: the OpenAPI document of project-management is the API it serves, and validates as it says. */
/** Routes a monitor reads without a key. */
const PUBLIC_ROUTES = ['GET /health', 'GET /metrics'];

describe('project-management OpenAPI document', () => {
  const BOOTSTRAP = `boot-${randomUUID()}`;
  let db: TestDatabase;
  let pm: RunningService;
  let doc: Document;
  let operations: { key: string; path: string; method: string; op: Operation }[];
  const keys: Record<'read' | 'write' | 'admin', string> = { read: '', write: '', admin: '' };

  const call = async (method: string, path: string, key: string | undefined, body?: unknown) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    const r = await fetch(`${pm.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    // An event stream would stay open: its status and headers are enough.
    if ((r.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await r.body?.cancel();
      return { status: r.status, body: undefined as any };
    }
    const text = await r.text();
    return { status: r.status, body: text && (r.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  };
  /** A path with every parameter filled: UUIDs where the document says so. */
  const concrete = (path: string, op: Operation, values: Record<string, string> = {}) =>
    path.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? (op.parameters?.find((p) => p.name === name)?.schema.format === 'uuid' ? randomUUID() : 'x'));

  beforeAll(async () => {
    db = await createTestDatabase();
    // LOG_LEVEL=info: Nest logs each route it maps ("Mapped {/path, METHOD} route"), the served list.
    pm = await startService('project-management', { DATABASE_URL: db.url, SWE_SIM_API_KEY: BOOTSTRAP, API_RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'info' });
    for (const scope of ['read', 'write', 'admin'] as const) {
      keys[scope] = (await call('POST', '/api-keys', BOOTSTRAP, { name: `only-${scope}`, scopes: [scope] })).body.key;
    }
    const r = await fetch(`${pm.url}/openapi.json`); // no key: the document is public
    expect(r.status).toBe(200);
    doc = (await r.json()) as Document;
    operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method: method.toUpperCase(), op })));
  });
  afterAll(async () => {
    await pm?.kill();
    await db?.drop();
  });

  it('documents exactly the routes the app maps', () => {
    const served = [...pm.output().matchAll(/Mapped \{([^,}]+), (\w+)\} route/g)].map(([, path, method]) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(10);
    expect(served).toContain('DELETE /api-keys/{id}');
    expect(operations.map((o) => o.key).sort()).toEqual([...new Set(served)].sort());
  });

  it('gives every operation a summary, tags, its success and error responses, and its security', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(doc.components.schemas.ErrorBody).toMatchObject({ required: ['error'], properties: { error: { required: ['code', 'message'] } } });
    const undocumented: { key: string; problems: string[] }[] = [];
    for (const { key, op } of operations) {
      const problems: string[] = [];
      if (!op.summary?.trim()) problems.push('no summary');
      if (!op.tags?.length) problems.push('no tags');
      const statuses = Object.keys(op.responses);
      if (!statuses.some((s) => /^2\d\d$/.test(s))) problems.push('no 2xx response');
      for (const s of statuses.filter((s) => /^[45]\d\d$/.test(s))) {
        if (op.responses[s].content?.['application/json']?.schema.$ref !== '#/components/schemas/ErrorBody') problems.push(`${s} without the error body`);
        if (!/^[A-Z_]+(, [A-Z_]+)*$/.test(op.responses[s].description)) problems.push(`${s} names no codes`);
      }
      if (PUBLIC_ROUTES.includes(key)) {
        if (JSON.stringify(op.security) !== '[]') problems.push(`${key} needs no key`);
      } else {
        if (JSON.stringify(op.security) !== JSON.stringify([{ apiKey: [] }])) problems.push('no bearer security');
        if (!['read', 'write', 'admin'].includes(op['x-required-scope'] ?? '')) problems.push('no scope');
        for (const s of ['401', '403', '429']) if (!op.responses[s]) problems.push(`no ${s}`);
        if (!op.responses['429']?.headers?.['Retry-After']) problems.push('429 without Retry-After');
      }
      if ((op.parameters ?? []).some((p) => p.in !== 'header' && !p.schema?.type)) problems.push('a parameter without a schema');
      if (['POST', 'PUT', 'PATCH'].includes(key.split(' ')[0]) && !op.requestBody) problems.push('no request body');
      if (problems.length) undocumented.push({ key, problems });
    }
    expect(undocumented).toEqual([]);
  });

  it('asks for the scope each route enforces, and a key for every route but /health and /metrics', async () => {
    for (const { key, path, method, op } of operations) {
      if (PUBLIC_ROUTES.includes(key)) {
        expect({ key, status: (await call(method, concrete(path, op), undefined)).status }).toEqual({ key, status: 200 });
        continue;
      }
      const scope = op['x-required-scope']!;
      const url = concrete(path, op);
      expect({ key, status: (await call(method, url, undefined, op.requestBody ? {} : undefined)).status }).toEqual({ key, status: 401 });
      // A key with every scope but the documented one is refused, naming that scope.
      const lacking = await call('POST', '/api-keys', BOOTSTRAP, { name: `lacks-${scope}`, scopes: (['read', 'write', 'admin'] as const).filter((s) => s !== scope) });
      const refused = await call(method, url, lacking.body.key, op.requestBody ? {} : undefined);
      expect({ key, status: refused.status, details: refused.body?.error?.details }).toEqual({ key, status: 403, details: { requiredScope: scope } });
      // And the documented scope alone is let past the guard (whatever the route then answers).
      const allowed = await call(method, url, keys[scope], op.requestBody ? {} : undefined);
      expect({ key, status: [401, 403].includes(allowed.status) ? allowed.status : 'past the guard' }).toEqual({ key, status: 'past the guard' });
    }
  });

  it('validates each request body as its schema says', async () => {
    // JSON bodies (an import's body is a file: its own tests check it).
    const documented = operations.filter((o) => o.op.requestBody?.content['application/json']);
    expect(documented.map((o) => o.key)).toEqual(expect.arrayContaining(Object.keys(VALID_BODIES)));
    for (const { key, path, method, op } of documented) {
      const url = concrete(path, op);
      const schema = op.requestBody!.content['application/json'].schema;
      const required = schema.required ?? [];
      expect({ key, required: op.requestBody!.required }).toEqual({ key, required: required.length > 0 });
      // An empty body lacks the first required field (zod checks fields in the schema's order).
      if (required.length) {
        const r = await call(method, url, BOOTSTRAP, {});
        expect({ key, status: r.status, field: r.body.error?.field }).toEqual({ key, status: 400, field: required[0] });
      }
      const valid = VALID_BODIES[key];
      if (schema.additionalProperties === false && (valid || !required.length)) {
        const r = await call(method, url, BOOTSTRAP, { ...valid?.(), notInTheSchema: 1 });
        expect({ key, status: r.status, field: r.body.error?.field }).toEqual({ key, status: 400, field: 'notInTheSchema' });
      }
      if (!valid) continue;
      // Each required field, left out, is the field the 400 names.
      for (const field of required) {
        const { [field]: _, ...without } = valid();
        const r = await call(method, url, BOOTSTRAP, without);
        expect({ key, field, status: r.status, named: r.body.error?.field }).toEqual({ key, field, status: 400, named: field });
      }
      // A field the schema calls optional may be left out.
      for (const field of Object.keys(schema.properties ?? {}).filter((f) => !required.includes(f) && f in valid())) {
        const { [field]: _, ...without } = valid();
        const r = await call(method, url, BOOTSTRAP, without);
        expect({ key, field, status: r.status }).toEqual({ key, field, status: 201 });
      }
      expect({ key, status: (await call(method, url, BOOTSTRAP, valid())).status }).toEqual({ key, status: 201 });
    }
  });

  it('validates query and path parameters as the document says', async () => {
    for (const { key, path, method, op } of operations.filter((o) => o.method === 'GET')) {
      const url = concrete(path, op);
      const bad = async (query: string, field: string) => {
        const r = await call(method, `${url}?${query}`, BOOTSTRAP);
        expect({ key, query, status: r.status, code: r.body?.error?.code, field: r.body?.error?.field }).toEqual({ key, query, status: 400, code: 'VALIDATION_FAILED', field });
      };
      for (const p of op.parameters ?? []) {
        if (p.in === 'path' && p.schema.format === 'uuid') {
          const r = await call(method, concrete(path, op, { [p.name]: 'not-a-uuid' }), BOOTSTRAP);
          expect({ key, status: r.status, field: r.body?.error?.field }).toEqual({ key, status: 400, field: p.name });
        }
        if (p.in !== 'query') continue;
        if (p.schema.maximum !== undefined) await bad(`${p.name}=${p.schema.maximum + 1}`, p.name);
        if (p.schema.minimum !== undefined) await bad(`${p.name}=${p.schema.minimum - 1}`, p.name);
        if (p.schema.enum) await bad(`${p.name}=not-one-of-them`, p.name);
        if (p.schema.format === 'uuid') await bad(`${p.name}=not-a-uuid`, p.name);
      }
      // Routes that take a query string refuse parameters it does not document.
      if (op.parameters?.some((p) => p.in === 'query')) await bad('notDocumented=1', 'notDocumented');
    }
  });

  it('serves Swagger UI from local files, without a key', async () => {
    const page = await call('GET', '/docs', undefined);
    expect(page.status).toBe(200);
    expect(page.body).toContain('swagger-ui');
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//); // nothing from a CDN: the machine may be offline
    const assets = [...String(page.body).matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `/${m[1]}`);
    expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui-init.js']));
    for (const asset of assets) expect({ asset, status: (await fetch(`${pm.url}${asset}`)).status }).toEqual({ asset, status: 200 });
    const init = await (await fetch(`${pm.url}/docs/swagger-ui-init.js`)).text();
    expect(init).toContain('/api-keys/{id}'); // the document, inlined
    expect(DOCS_ROUTES.every((r) => !operations.some((o) => o.key === r))).toBe(true);
  });
});
