import { BacklogDecompositionRequested, EventData } from '@swe-sim/contracts';
import { ChatMessage } from '@swe-sim/llm-gateway';

/** Per-file and total caps on the test code shown to the product manager. */
const MAX_FILE_CHARS = 20_000;
const MAX_TOTAL_CHARS = 120_000;

/** The product manager's prompt: the rules first (stable), then the project and its acceptance tests. */
export function backlogMessages(project: EventData<typeof BacklogDecompositionRequested>, files: { path: string; content: string }[]): ChatMessage[] {
  let budget = MAX_TOTAL_CHARS;
  const shown = files.map((f) => {
    const room = Math.max(0, Math.min(MAX_FILE_CHARS, budget));
    const text = f.content.length > room ? `${f.content.slice(0, room)}\n… (${f.content.length - room} more characters)` : f.content;
    budget -= Math.min(f.content.length, room);
    return `--- ${f.path} ---\n${text}`;
  });
  const goals = project.goals.length ? project.goals.map((g) => `- ${g}`).join('\n') : '- (none given)';
  return [
    {
      role: 'system',
      content:
        'You are the product manager of a software team. You turn a project description and its acceptance tests into a backlog of features ' +
        'that engineers can build one at a time. Answer only with JSON: {"features": [{"featureId": "a-slug", "title": "…", "description": "…", ' +
        '"acceptanceCriteria": ["…"], "tests": ["path of an acceptance test file"], "skills": ["python", "testing", …]}]}. Rules: ' +
        'featureId is a short lower-case slug (letters, digits, hyphens), unique; ' +
        'tests lists acceptance test files by their exact path, at least one per feature; ' +
        'every acceptance test file belongs to exactly one feature (none left out, none shared); ' +
        'skills name what building the feature takes (the language, testing, algorithms, http, …).',
    },
    {
      role: 'user',
      content:
        `Project "${project.name}" (${project.stack}).\n${project.description || '(no description)'}\n\nGoals:\n${goals}\n\n` +
        `The acceptance tests (run with \`${project.acceptance.command}\`), ${files.length} file(s): ${files.map((f) => f.path).join(', ')}\n\n${shown.join('\n\n')}\n\n` +
        'Decompose this project into its backlog.',
    },
  ];
}
