export * from './test-database';
export * from './processes';
