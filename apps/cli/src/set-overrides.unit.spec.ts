import { UsageError, exitCodeOf } from './exit-codes';
import { overridesFromSets } from './set-overrides';
import { ApiError, UnreachableError } from '@swe-sim/api-client';

describe('overridesFromSets', () => {
  it('nests key paths and reads values as JSON when they parse', () => {
    expect(overridesFromSets(['models.default.sampling.temperature=0.9', 'models.default.model=gpt-x', 'process.pairing=false', 'sprints.max=2'])).toEqual({
      models: { default: { sampling: { temperature: 0.9 }, model: 'gpt-x' } },
      process: { pairing: false },
      sprints: { max: 2 },
    });
  });

  it('refuses malformed sets as usage errors', () => {
    for (const bad of ['temperature', '=1', 'a..b=1', '__proto__.x=1']) expect(() => overridesFromSets([bad])).toThrow(UsageError);
    expect(() => overridesFromSets(['a=1', 'a.b=2'])).toThrow(/already a value/);
  });
});

describe('exitCodeOf', () => {
  it('maps errors to the documented codes', () => {
    expect(exitCodeOf(new UsageError('x'))).toBe(2);
    expect(exitCodeOf(new ApiError(409, 'SIMULATION_RUNNING', 'x'))).toBe(3);
    expect(exitCodeOf(new ApiError(404, 'SIMULATION_NOT_FOUND', 'x'))).toBe(3);
    expect(exitCodeOf(new ApiError(401, 'UNAUTHENTICATED', 'x'))).toBe(4);
    expect(exitCodeOf(new ApiError(403, 'FORBIDDEN', 'x'))).toBe(4);
    expect(exitCodeOf(new UnreachableError('http://x', new Error('ECONNREFUSED')))).toBe(5);
  });
});
