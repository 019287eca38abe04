export * from './errors';
export * from './event-definition';
export * from './event-registry';
export * from './metadata';
export * from './events/project.events';
export * from './events/transport.events';
export * from './events/llm.events';
export * from './all-events';
