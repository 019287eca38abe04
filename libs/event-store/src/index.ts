export * from './types';
export * from './errors';
export * from './event-store';
export * from './subscription';
export * from './checkpoint-repository';
export * from './logger';
export * from './decider';
export * from './ids';
