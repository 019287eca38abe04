import { EventData, ProjectCreated, ProjectStaffingAssessed } from '@swe-sim/contracts';

type RequiredSkill = EventData<typeof ProjectStaffingAssessed>['requiredSkills'][number];

const STACK_SKILLS: Record<EventData<typeof ProjectCreated>['stack'], string> = { python: 'python', node: 'typescript' };

/** Words in a project's description or goals that signal a skill, with the reason given for it. */
const SIGNALS: ReadonlyArray<{ skill: string; pattern: RegExp; reason: string }> = [
  { skill: 'backend', pattern: /\b(https?|api|server|endpoint|rest|handler)\b/i, reason: 'serves requests' },
  { skill: 'frontend', pattern: /\b(ui|frontend|browser|react|css)\b/i, reason: 'has a user interface' },
  { skill: 'databases', pattern: /\b(database|sql|postgres|storage|persist)\w*/i, reason: 'stores data' },
  { skill: 'devops', pattern: /\b(docker|deploy|ci|kubernetes|infrastructure)\b/i, reason: 'needs deployment work' },
  { skill: 'algorithms', pattern: /\b(cache|lru|algorithm|parser|graph|sort)\w*/i, reason: 'needs careful algorithms' },
];

/**
 * Which skills a project needs, each with a reason. Pure and deterministic: the stack's language,
 * testing always (acceptance tests decide what is done), and skills its text signals.
 */
export function assessStaffing(project: EventData<typeof ProjectCreated>): RequiredSkill[] {
  const text = [project.name, project.description, ...project.goals].join('\n');
  const skills: RequiredSkill[] = [
    { skill: STACK_SKILLS[project.stack], reason: `the project is written for ${project.stack}` },
    { skill: 'testing', reason: 'acceptance tests decide when a feature is done' },
  ];
  for (const s of SIGNALS) {
    const match = text.match(s.pattern);
    if (match) skills.push({ skill: s.skill, reason: `${s.reason} ("${match[0]}")` });
  }
  // Skills the features name: merged into an existing entry's reason, or added.
  for (const item of project.backlog) {
    for (const skill of item.skills) {
      const existing = skills.find((s) => s.skill === skill);
      const why = `feature ${item.featureId} needs it`;
      if (existing) existing.reason = `${existing.reason}; ${why}`;
      else skills.push({ skill, reason: why });
    }
  }
  return skills;
}
