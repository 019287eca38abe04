export * from './config';
export * from './json-logger';
export * from './tokens';
export * from './runtime.module';
export * from './bootstrap';
export * from './health.controller';
export * from './zod-body.pipe';
export * from './rpc-error.filter';
