import { DEFAULT_ROSTER, Persona, personaSchema } from '@swe-sim/contracts';
import { capacityOf, FormationInput, formTeams, level, seniorityRank, TEAM_FORMATION_ERROR_CODES, TeamFormationError } from './form-teams';

const byId = new Map(DEFAULT_ROSTER.map((p) => [p.personaId, p]));
const persona = (id: string) => byId.get(id)!;

const pythonAndTesting = [
  { featureId: 'slugify', skills: ['python'] },
  { featureId: 'word-count', skills: ['python', 'testing'] },
  { featureId: 'truncate', skills: ['python'] },
  { featureId: 'wrap', skills: ['testing'] },
];

const mixed = [
  { featureId: 'slugify', skills: ['python'] },
  { featureId: 'lru', skills: ['algorithms'] },
  { featureId: 'api', skills: ['backend', 'databases'] },
  { featureId: 'trie', skills: ['algorithms'] },
  { featureId: 'store', skills: ['databases'] },
  { featureId: 'word-count', skills: ['python', 'testing'] },
];

const input = (overrides: Partial<FormationInput> = {}): FormationInput => ({
  stack: 'python',
  backlog: mixed,
  roster: DEFAULT_ROSTER,
  teams: 2,
  teamSize: 4,
  pairing: true,
  ...overrides,
});

const failure = (i: FormationInput) => {
  try {
    formTeams(i, 1);
  } catch (err) {
    expect(err).toBeInstanceOf(TeamFormationError);
    return (err as TeamFormationError).code;
  }
  throw new Error('expected a TeamFormationError');
};

describe(formTeams.name, () => {
  describe('determinism', () => {
    it('given the same input and seed, forms the identical teams, pairs and reasons', () => {
      expect(formTeams(input(), 7)).toEqual(formTeams(input(), 7));
      expect(formTeams(input({ teams: 3, teamSize: 3 }), 123)).toEqual(formTeams(input({ teams: 3, teamSize: 3 }), 123));
    });

    it('does not depend on the order of the roster', () => {
      expect(formTeams(input({ roster: [...DEFAULT_ROSTER].reverse() }), 7)).toEqual(formTeams(input(), 7));
    });

    it('lets the seed decide only ties: without ties every seed forms the same teams', () => {
      const roster: Persona[] = [
        personaSchema.parse({ personaId: 'a', name: 'A', role: 'engineer', seniority: 'staff', skills: { python: 5, testing: 1 } }),
        personaSchema.parse({ personaId: 'b', name: 'B', role: 'tester', seniority: 'junior', skills: { testing: 4 } }),
        personaSchema.parse({ personaId: 'c', name: 'C', role: 'engineer', seniority: 'mid', skills: { python: 3, testing: 2 } }),
        personaSchema.parse({ personaId: 'd', name: 'D', role: 'engineer', seniority: 'junior', skills: { python: 1 } }),
      ];
      const plans = [0, 1, 2, 99, 2 ** 31 - 1].map((seed) => formTeams(input({ roster, teams: 1, teamSize: 3, backlog: pythonAndTesting }), seed));
      for (const plan of plans) expect(plan).toEqual(plans[0]);
      expect(plans[0].teams[0].members.map((m) => m.personaId)).toEqual(['a', 'b', 'c']);
    });

    it('given different seeds, differs at most in tie-breaks: sizes, cover and capacity stay as good', () => {
      for (let seed = 0; seed < 20; seed++) {
        const plan = formTeams(input(), seed);
        expect(plan.teams.map((t) => t.members.length)).toEqual([4, 4]);
        expect(plan.teams.flatMap((t) => t.uncoveredSkills)).toEqual([]);
      }
    });
  });

  describe('expertise and need', () => {
    it('spreads the strongest python and testing personas across teams, so each team covers both', () => {
      for (const seed of [1, 2, 3, 4, 5, 6]) expectSpread(formTeams(input({ backlog: pythonAndTesting, teams: 2, teamSize: 3 }), seed));
    });

    function expectSpread(plan: ReturnType<typeof formTeams>) {
      const teamOf = (id: string) => plan.teams.findIndex((t) => t.members.some((m) => m.personaId === id));
      // The two strongest testers (5 and 4) go to different teams; python 5 and the python 4s are spread too.
      expect(teamOf('lena-vogel')).not.toBe(-1);
      expect(teamOf('sofia-rossi')).not.toBe(-1);
      expect(teamOf('lena-vogel')).not.toBe(teamOf('sofia-rossi'));
      expect(teamOf('omar-haddad')).not.toBe(-1); // python 5
      for (const team of plan.teams) {
        const members = team.members.map((m) => persona(m.personaId));
        expect(Math.max(...members.map((m) => level(m, 'python')))).toBeGreaterThanOrEqual(4);
        expect(Math.max(...members.map((m) => level(m, 'testing')))).toBeGreaterThanOrEqual(4);
        expect(team.uncoveredSkills).toEqual([]);
      }
    }

    it('groups features by the skills they need and gives the team the expert for them', () => {
      const plan = formTeams(input(), 5);
      const teamWith = (featureId: string) => plan.teams.find((t) => t.features.some((f) => f.featureId === featureId))!;
      expect(teamWith('lru')).toBe(teamWith('trie'));
      expect(teamWith('api')).toBe(teamWith('store'));
      expect(teamWith('lru').features.find((f) => f.featureId === 'trie' || f.featureId === 'lru')!.reason).toBeTruthy();
      const reasons = teamWith('lru').features.map((f) => f.reason).join(' ');
      expect(reasons).toMatch(/grouped by skill: needs algorithms/);
      const algoMembers = teamWith('lru').members.map((m) => persona(m.personaId));
      expect(Math.max(...algoMembers.map((m) => level(m, 'algorithms')))).toBe(5);
      const dbMembers = teamWith('api').members.map((m) => persona(m.personaId));
      expect(Math.max(...dbMembers.map((m) => level(m, 'databases')))).toBeGreaterThanOrEqual(4);
    });

    it('lists the skills no member has at level 3 or more', () => {
      const roster = DEFAULT_ROSTER.filter((p) => level(p, 'devops') < 3 && level(p, 'frontend') < 3);
      const plan = formTeams(input({ roster, teams: 1, teamSize: 3, backlog: [{ featureId: 'deploy', skills: ['devops', 'frontend'] }] }), 1);
      expect(plan.teams[0].uncoveredSkills).toEqual(['devops', 'frontend']);
    });
  });

  describe('sizes and capacity', () => {
    it('staffs every team with exactly teamSize distinct personas, and shares the backlog within one feature', () => {
      for (const [teams, teamSize] of [
        [1, 1],
        [2, 3],
        [3, 4],
        [4, 3],
        [6, 2],
      ]) {
        const plan = formTeams(input({ teams, teamSize }), 11);
        expect(plan.teams).toHaveLength(teams);
        const ids = plan.teams.flatMap((t) => t.members.map((m) => m.personaId));
        expect(new Set(ids).size).toBe(teams * teamSize);
        for (const t of plan.teams) expect(t.members).toHaveLength(teamSize);
        const shares = plan.teams.map((t) => t.features.length);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(mixed.length);
      }
    });

    it('balances capacity (seniority) across teams', () => {
      for (const [teams, teamSize] of [
        [2, 5],
        [3, 4],
        [2, 6],
      ]) {
        const plan = formTeams(input({ teams, teamSize }), 4);
        const caps = plan.teams.map((t) => t.members.reduce((sum, m) => sum + capacityOf(persona(m.personaId)), 0));
        expect(Math.max(...caps) - Math.min(...caps)).toBeLessThanOrEqual(2);
      }
    });
  });

  describe('explanations', () => {
    it('says why each member was chosen, naming the skills it covers and the features that need them', () => {
      const plan = formTeams(input(), 2);
      for (const team of plan.teams) {
        expect(team.name).toMatch(/^Team \d/);
        for (const f of team.features) expect(f.reason.length).toBeGreaterThan(10);
        for (const m of team.members) expect(m.reason.length).toBeGreaterThan(20);
        const first = team.members.find((m) => m.reason.startsWith('Raises'))!;
        expect(first.reason).toMatch(/python \d \(team best was none; needed by/);
        expect(team.features.some((f) => first.reason.includes(f.featureId))).toBe(true);
      }
    });
  });

  describe('pairs', () => {
    it('pairs complementary members within each team: the less senior drives, the more senior navigates', () => {
      const plan = formTeams(input({ teamSize: 4 }), 9);
      for (const team of plan.teams) {
        expect(team.pairs).toHaveLength(2);
        expect(team.solo).toBeNull();
        const memberIds = team.members.map((m) => m.personaId);
        const paired = team.pairs.flatMap((p) => [p.driver, p.navigator]);
        expect([...paired].sort()).toEqual([...memberIds].sort());
        for (const pair of team.pairs) {
          expect(seniorityRank(persona(pair.driver))).toBeLessThanOrEqual(seniorityRank(persona(pair.navigator)));
          expect(pair.reason).toMatch(/drives/);
          expect(pair.pairId).toMatch(new RegExp(`^${team.teamId}-pair-\\d$`));
        }
        // The most senior member navigates the least senior one.
        const ranks = team.members.map((m) => seniorityRank(persona(m.personaId)));
        const top = team.members[ranks.indexOf(Math.max(...ranks))].personaId;
        const pairOfTop = team.pairs.find((p) => p.navigator === top || p.driver === top)!;
        expect(pairOfTop.navigator).toBe(top);
      }
    });

    it('pairs a strong member with one weak where the other is strong', () => {
      const roster: Persona[] = [
        personaSchema.parse({ personaId: 'py-senior', name: 'Py', role: 'engineer', seniority: 'senior', skills: { python: 5, testing: 1 } }),
        personaSchema.parse({ personaId: 'py-senior-2', name: 'Py2', role: 'engineer', seniority: 'senior', skills: { python: 4, testing: 2 } }),
        personaSchema.parse({ personaId: 'test-junior', name: 'Te', role: 'tester', seniority: 'junior', skills: { testing: 5 } }),
        personaSchema.parse({ personaId: 'py-junior', name: 'PyJ', role: 'engineer', seniority: 'junior', skills: { python: 3 } }),
      ];
      const [team] = formTeams(input({ roster, teams: 1, teamSize: 4, backlog: pythonAndTesting }), 1).teams;
      const pairOf = (id: string) => team.pairs.find((p) => p.driver === id || p.navigator === id)!;
      expect(pairOf('test-junior').navigator).toMatch(/^py-senior/);
      expect(pairOf('test-junior').reason).toMatch(/Complementary: Py2? is strong where Te is weak in python .*; Te is strong where Py2? is weak in testing/);
    });

    it('leaves the odd member out to work solo, and says so', () => {
      const plan = formTeams(input({ teams: 2, teamSize: 3 }), 9);
      for (const team of plan.teams) {
        expect(team.pairs).toHaveLength(1);
        expect(team.solo).not.toBeNull();
        expect(team.members.find((m) => m.personaId === team.solo)!.reason).toMatch(/Works solo: the team has an odd number of members \(3\)/);
      }
    });

    it('forms no pairs when the process does not pair', () => {
      expect(formTeams(input({ pairing: false }), 1).teams.every((t) => t.pairs.length === 0 && t.solo === null)).toBe(true);
    });
  });

  describe('refusals, with stable codes', () => {
    const E = TEAM_FORMATION_ERROR_CODES;
    it('refuses a roster smaller than the number of teams', () => {
      expect(failure(input({ roster: DEFAULT_ROSTER.slice(0, 2), teams: 3, teamSize: 1 }))).toBe(E.ROSTER_SMALLER_THAN_TEAMS);
    });
    it('refuses teams*teamSize beyond the roster', () => {
      expect(failure(input({ teams: 3, teamSize: 5 }))).toBe(E.ROSTER_TOO_SMALL);
    });
    it('refuses more teams than features', () => {
      expect(failure(input({ backlog: mixed.slice(0, 2), teams: 3, teamSize: 2 }))).toBe(E.MORE_TEAMS_THAN_FEATURES);
    });
    it('refuses a roster naming a persona twice', () => {
      expect(failure(input({ roster: [...DEFAULT_ROSTER, DEFAULT_ROSTER[0]] }))).toBe(E.DUPLICATE_PERSONA);
    });
    it('refuses a nonsensical size', () => {
      expect(failure(input({ teamSize: 0 }))).toBe(E.INVALID_SIZE);
    });
  });
});

describe('DEFAULT_ROSTER', () => {
  it('is varied: every seniority, testers and a tech lead, the skills projects need at several levels', () => {
    expect(DEFAULT_ROSTER.length).toBeGreaterThanOrEqual(12);
    expect(new Set(DEFAULT_ROSTER.map((p) => p.seniority))).toEqual(new Set(['junior', 'mid', 'senior', 'staff']));
    expect(DEFAULT_ROSTER.filter((p) => p.role === 'tester').length).toBeGreaterThanOrEqual(2);
    expect(DEFAULT_ROSTER.some((p) => p.role === 'tech-lead')).toBe(true);
    for (const skill of ['python', 'typescript', 'testing', 'devops', 'backend', 'frontend', 'algorithms', 'databases']) {
      const levels = new Set(DEFAULT_ROSTER.map((p) => level(p, skill)).filter((l) => l > 0));
      expect(levels.size).toBeGreaterThanOrEqual(2);
    }
    for (const p of DEFAULT_ROSTER) expect(p.traits.length).toBeGreaterThan(0);
    expect(new Set(DEFAULT_ROSTER.map((p) => p.personaId)).size).toBe(DEFAULT_ROSTER.length);
  });

  it('never pairs an agent program: it works solo, and the others pair as they would', () => {
    const program = { files: [{ path: 'a.py', hash: 'a'.repeat(64), size: 1 }], command: 'python3 a.py', stack: 'python' as const, timeLimitMs: 60_000 };
    const roster = DEFAULT_ROSTER.map((p, i) => (i % 3 === 0 ? { ...p, program } : p));
    const plan = formTeams(input({ roster, teams: 2, teamSize: 4 }), 3);
    const programs = new Set(roster.filter((p) => p.program).map((p) => p.personaId));
    const members = plan.teams.flatMap((t) => t.members);
    expect(members.some((m) => programs.has(m.personaId))).toBe(true);
    for (const t of plan.teams) for (const pair of t.pairs) expect([pair.driver, pair.navigator].filter((id) => programs.has(id))).toEqual([]);
    for (const m of members.filter((m) => programs.has(m.personaId))) expect(m.reason).toContain('an agent program runs alone');
  });
});

