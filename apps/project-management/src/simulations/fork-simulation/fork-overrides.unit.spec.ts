import { DEFAULT_ROSTER, SimulationConfig } from '@swe-sim/contracts';
import { forkBodySchema, forkConfig } from './fork-overrides';

const anOriginalConfig = (): SimulationConfig => ({
  seed: 42,
  teams: 2,
  teamSize: 3,
  roster: DEFAULT_ROSTER.slice(0, 6),
  models: { default: { model: 'llama-70b', sampling: { temperature: 0.2, top_p: 0.9 } }, byRole: { tester: { model: 'llama-8b' } } },
  sprints: { max: 3, capacityPointsPerMember: 8 },
  process: { pairing: true, review: true, swapEveryTurns: 4, pokerDivergenceRatio: 2.5, pokerMaxRounds: 2 },
  budgets: { maxTurnsPerTask: 30, maxTokens: 2_000_000, maxWallTimeMs: 3_600_000 },
});

describe(forkConfig.name, () => {
  it('merges each override over the original, sampling parameter by parameter, and keeps the seed', () => {
    const sut = forkConfig(anOriginalConfig(), {
      models: { default: { sampling: { temperature: 0.9 } }, byRole: { tester: { sampling: { temperature: 0 } }, 'tech-lead': { model: 'qwen' } } },
      process: { review: false },
      budgets: { maxTurnsPerTask: 10 },
    });
    expect(sut.seed).toBe(42);
    expect(sut.models.default).toEqual({ model: 'llama-70b', sampling: { temperature: 0.9, top_p: 0.9 } });
    expect(sut.models.byRole).toEqual({ tester: { model: 'llama-8b', sampling: { temperature: 0 } }, 'tech-lead': { model: 'qwen' } });
    expect(sut.process).toEqual({ ...anOriginalConfig().process, review: false });
    expect(sut.budgets).toEqual({ ...anOriginalConfig().budgets, maxTurnsPerTask: 10 });
    expect(sut.roster).toEqual(anOriginalConfig().roster);
  });

  it('replaces the roster and the model when given', () => {
    const sut = forkConfig(anOriginalConfig(), { roster: DEFAULT_ROSTER.slice(6, 9), models: { default: { model: 'other' } } });
    expect(sut.roster.map((p) => p.personaId)).toEqual(DEFAULT_ROSTER.slice(6, 9).map((p) => p.personaId));
    expect(sut.models.default).toEqual({ model: 'other', sampling: { temperature: 0.2, top_p: 0.9 } });
  });
});

describe('fork body', () => {
  it('refuses what cannot be overridden, values out of range, and a position that is not a positive integer', () => {
    expect(forkBodySchema.safeParse({ atPosition: 10, overrides: { seed: 1 } }).success).toBe(false);
    expect(forkBodySchema.safeParse({ atPosition: 10, overrides: { budgets: { maxTurnsPerTask: 0 } } }).success).toBe(false);
    expect(forkBodySchema.safeParse({ atPosition: 0 }).success).toBe(false);
    expect(forkBodySchema.safeParse({ atPosition: 1.5 }).success).toBe(false);
    expect(forkBodySchema.safeParse({ atPosition: '10' }).success).toBe(false);
    const dup = DEFAULT_ROSTER[0];
    expect(forkBodySchema.safeParse({ atPosition: 10, overrides: { roster: [dup, dup] } }).success).toBe(false);
    expect(forkBodySchema.parse({ atPosition: 10 })).toEqual({ atPosition: 10, overrides: {} });
  });
});
