export * from './test-database';
export * from './processes';
export * from './builders';
export * from './test-instance';
