import { isConnectionError } from './connection-errors';

describe('isConnectionError', () => {
  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['53300', 'sorry, too many clients already'],
    ['08006', 'connection failure'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
    [undefined, 'Connection terminated unexpectedly'],
  ])('%s (%s) is the database going away', (code, message) => {
    expect(isConnectionError(Object.assign(new Error(message), { code }))).toBe(true);
  });

  it.each([
    ['23505', 'duplicate key value violates unique constraint'],
    ['42P01', 'relation "x" does not exist'],
    [undefined, 'simulation 1 is not known'],
  ])('%s (%s) is a handler error', (code, message) => {
    expect(isConnectionError(Object.assign(new Error(message), { code }))).toBe(false);
  });
});
