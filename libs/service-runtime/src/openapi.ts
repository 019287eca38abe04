import { INestApplication, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { OperationObject, ParameterObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { UuidParamPipe } from './params.pipe';
import { ZodBodyPipe, ZodQueryPipe } from './zod-body.pipe';

/** The one error body every service answers with (http-error.filter.ts). */
export const errorBodySchema: SchemaObject = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable, machine-readable (VALIDATION_FAILED, PROJECT_NOT_FOUND, …)' },
        message: { type: 'string', description: 'For people; may change' },
        field: { type: 'string', description: 'The input at fault, for a 400 (a body path such as scopes.0, a query or path parameter)' },
        details: { type: 'object', additionalProperties: true, description: 'More about the error (e.g. requiredScope, retryAfterSeconds)' },
      },
    },
  },
};

/** A route's errors beyond those its pipes and guards imply: status → stable codes. */
export type ErrorCodes = Record<number, string | string[]>;

const API_ERRORS = 'swe-sim:api-errors';

/** Documents errors a route (or every route of a controller) answers: `@ApiErrors({ 404: 'PROJECT_NOT_FOUND' })`. */
export function ApiErrors(errors: ErrorCodes): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = descriptor ? (descriptor.value as object) : target;
    Reflect.defineMetadata(API_ERRORS, [...(Reflect.getMetadata(API_ERRORS, holder) ?? []), errors], holder);
    return descriptor as never;
  };
}

/** A zod schema as OpenAPI 3 JSON Schema (what its parse accepts: defaults make a field optional). */
export function zodOpenApiSchema(schema: z.ZodTypeAny): SchemaObject {
  const convert = zodToJsonSchema as (schema: unknown, options: object) => unknown; // its generic types recurse too deep for tsc
  const json = convert(schema, { target: 'openApi3', $refStrategy: 'none', effectStrategy: 'input', pipeStrategy: 'input' }) as SchemaObject & { $schema?: string };
  delete json.$schema;
  return json;
}

/** One documented route: the controller and method serving it, and its operation in the document (editable). */
export interface DocumentedRoute {
  controller: Type<unknown>;
  handler: (...args: unknown[]) => unknown;
  path: string;
  method: string;
  operation: OperationObject;
  /** Adds error codes the route may answer with. */
  addErrors(errors: ErrorCodes): void;
}

export interface ApiDocsOptions {
  title: string;
  description: string;
  version: string;
  /** Where Swagger UI is served (`docs` → /docs), from the swagger-ui-dist package (no CDN). */
  uiPath: string;
  /** Where the document is served (`openapi.json` → /openapi.json). */
  jsonPath: string;
  securitySchemes?: Record<string, { type: 'http'; scheme: 'bearer'; description?: string }>;
  /** The service's own conventions (e.g. which key scope a route needs). */
  decorate?: (route: DocumentedRoute) => void;
}

/**
 * The OpenAPI document of a service's HTTP routes, served with Swagger UI. Request bodies, query
 * strings and UUID path parameters are read from the pipes that validate them (ZodBodyPipe,
 * ZodQueryPipe, UuidParamPipe), so the document and the validation share one zod schema each.
 */
export function serveApiDocs(app: INestApplication, options: ApiDocsOptions): OpenAPIObject {
  const handlers = new Map<string, { controller: Type<unknown>; name: string }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown>;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) handlers.set(`${controller.name}_${name}`, { controller, name });
    }
  }
  let config = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion(options.version).setOpenAPIVersion('3.0.3');
  for (const [name, scheme] of Object.entries(options.securitySchemes ?? {})) config = config.addSecurity(name, scheme);
  const document = SwaggerModule.createDocument(app, config.build(), { operationIdFactory: (controller, method) => `${controller}_${method}`, autoTagControllers: false });
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ErrorBody: errorBodySchema } };

  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const found = handlers.get(operation.operationId ?? '');
      if (!found) throw new Error(`OpenAPI: no handler for ${method.toUpperCase()} ${path} (${operation.operationId})`);
      const handler = (found.controller.prototype as Record<string, (...args: unknown[]) => unknown>)[found.name];
      const errors = new Map<number, Set<string>>();
      const addErrors = (more: ErrorCodes) => {
        for (const [status, codes] of Object.entries(more)) {
          const set = errors.get(Number(status)) ?? new Set<string>();
          for (const code of Array.isArray(codes) ? codes : [codes]) set.add(code);
          errors.set(Number(status), set);
        }
      };
      describeArguments(operation, Reflect.getMetadata(ROUTE_ARGS_METADATA, found.controller, found.name) ?? {}, addErrors);
      for (const declared of [...(Reflect.getMetadata(API_ERRORS, found.controller) ?? []), ...(Reflect.getMetadata(API_ERRORS, handler) ?? [])]) addErrors(declared);
      options.decorate?.({ controller: found.controller, handler, path, method, operation, addErrors });
      addErrors({ 500: 'INTERNAL' });
      for (const [status, codes] of [...errors].sort(([a], [b]) => a - b)) {
        const headers = (operation.responses[status] as ResponseObject | undefined)?.headers; // e.g. Retry-After, set by decorate
        operation.responses[status] = {
          description: [...codes].join(', '),
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
          ...(headers ? { headers } : {}),
        };
      }
    }
  }
  SwaggerModule.setup(options.uiPath, app, document, { jsonDocumentUrl: options.jsonPath, raw: ['json'], customSiteTitle: options.title });
  return document;
}

interface RouteArgument {
  index: number;
  data?: string;
  pipes?: unknown[];
}

/** Body, query and path parameters from the route's argument metadata and their pipes. */
function describeArguments(operation: OperationObject, args: Record<string, RouteArgument>, addErrors: (e: ErrorCodes) => void): void {
  const parameters = (operation.parameters ?? []) as ParameterObject[];
  for (const [key, arg] of Object.entries(args)) {
    const type = Number(key.split(':')[0]);
    const pipes = arg.pipes ?? [];
    if (type === RouteParamtypes.BODY) {
      const pipe = pipes.find((p): p is ZodBodyPipe<z.ZodTypeAny> => p instanceof ZodBodyPipe);
      if (!pipe) continue;
      const schema = zodOpenApiSchema(pipe.schema);
      operation.requestBody = { required: (schema.required?.length ?? 0) > 0, content: { 'application/json': { schema } } };
      addErrors({ 400: ['VALIDATION_FAILED', 'MALFORMED_JSON'], 413: 'REQUEST_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE' });
    } else if (type === RouteParamtypes.QUERY) {
      const pipe = pipes.find((p): p is ZodQueryPipe<z.ZodTypeAny> => p instanceof ZodQueryPipe);
      if (!pipe) continue;
      const schema = zodOpenApiSchema(pipe.schema);
      for (let i = parameters.length - 1; i >= 0; i--) if (parameters[i].in === 'query') parameters.splice(i, 1);
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const { description, ...rest } = property as SchemaObject;
        parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) });
      }
      addErrors({ 400: 'VALIDATION_FAILED' });
    } else if (type === RouteParamtypes.PARAM && arg.data) {
      const uuid = pipes.some((p) => p === UuidParamPipe || p instanceof UuidParamPipe);
      let parameter = parameters.find((p) => p.in === 'path' && p.name === arg.data);
      if (!parameter) parameters.push((parameter = { name: arg.data, in: 'path', required: true }));
      parameter.schema = uuid ? { type: 'string', format: 'uuid' } : { type: 'string' };
      if (uuid) addErrors({ 400: 'VALIDATION_FAILED' });
    } else if (type === RouteParamtypes.HEADERS && arg.data) {
      if (!parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === arg.data!.toLowerCase())) {
        parameters.push({ name: arg.data, in: 'header', required: false, schema: { type: 'string' } });
      }
    }
  }
  operation.parameters = parameters;
}
