// Small pure utilities shared by several apps (no framework, no I/O).
export * from './keyed-mutex';
export * from './prng';
export * from './json';
export * from './metrics';
