export * from './event-record';
export * from './event-store.context';
export * from './event-store.server';
export * from './event-store.client';
export * from './errors';
export * from './request-worker';
