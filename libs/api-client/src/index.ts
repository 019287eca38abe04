export * from './client';
export * from './sse';
export * from './types';
export * from './event-lines';
export * from './experiment-types';
