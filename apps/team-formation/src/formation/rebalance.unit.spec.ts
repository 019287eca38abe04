import { DEFAULT_ROSTER } from '@swe-sim/contracts';
import { proposeRebalance } from './rebalance';

describe(proposeRebalance.name, () => {
  it('swaps in the member a team now lacks from a team that no longer needs it', () => {
    const moves = proposeRebalance(
      {
        stack: 'python',
        roster: DEFAULT_ROSTER,
        teams: [
          // team-1's remaining work needs no devops, but it has Diego (devops 5).
          { teamId: 'team-1', memberIds: ['omar-haddad', 'diego-ramos', 'lena-vogel'], openFeatures: [{ featureId: 'trie', skills: ['algorithms'] }] },
          // team-2's new feature needs devops, which nobody there has at 3.
          { teamId: 'team-2', memberIds: ['priya-nair', 'sofia-rossi', 'noor-aziz'], openFeatures: [{ featureId: 'deploy', skills: ['devops'] }] },
        ],
      },
      1,
    );
    expect(moves).toHaveLength(2);
    expect(moves[0]).toMatchObject({ personaId: 'diego-ramos', toTeamId: 'team-2' });
    expect(moves[0].reason).toMatch(/covers devops 5 \(needed by deploy\) that team-2 lacked/);
    expect(moves[1].toTeamId).toBe('team-1');
  });

  it('proposes nothing when every team covers its needs', () => {
    expect(
      proposeRebalance(
        {
          stack: 'python',
          roster: DEFAULT_ROSTER,
          teams: [
            { teamId: 'team-1', memberIds: ['omar-haddad', 'lena-vogel'], openFeatures: [{ featureId: 'trie', skills: ['algorithms'] }] },
            { teamId: 'team-2', memberIds: ['priya-nair', 'sofia-rossi'], openFeatures: [{ featureId: 'db', skills: ['databases'] }] },
          ],
        },
        1,
      ),
    ).toEqual([]);
  });
});
