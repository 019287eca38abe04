import { ProjectSnapshot, SIMULATION_REPOSITORY_TEAM } from '@swe-sim/contracts';
import { RequestKeys } from './request-keys';
import { SandboxPort, describeCommand, sh } from './sandbox.port';

/** The simulation's one git repository (sandbox-control workspace `<simulationId>/repo`). */
export const REPO_TEAM = SIMULATION_REPOSITORY_TEAM;
const GIT = (name: string, email: string) => `git -c user.name=${sh(name)} -c user.email=${sh(email)}`;
const CI_GIT = GIT('swe-sim', 'ci@swe-sim.local');

/**
 * Makes main exist: the scaffold and the acceptance tests, committed once. Idempotent (a re-run
 * finds main and does nothing); the caller holds the simulation's repository lock.
 */
export async function ensureRepository(port: SandboxPort, sandboxId: string, project: ProjectSnapshot, keys: RequestKeys): Promise<void> {
  const probe = await port.run(keys.ids('probe'), sandboxId, 'git rev-parse -q --verify refs/heads/main >/dev/null && echo READY || echo EMPTY', 30_000);
  if (probe.stdout.includes('READY')) return;
  for (const file of [...project.scaffold, ...project.acceptance.files]) {
    await port.write(keys.ids('file', file.path), sandboxId, file.path, { hash: file.hash });
  }
  const init = await port.run(
    keys.ids('commit'),
    sandboxId,
    `set -e; mkdir -p .git/info; grep -qx '.worktrees/' .git/info/exclude 2>/dev/null || echo '.worktrees/' >> .git/info/exclude; ` +
      `git symbolic-ref HEAD refs/heads/main; git add -A; ${CI_GIT} commit -qm 'Project scaffold and acceptance tests'`,
    60_000,
  );
  if (init.exitCode !== 0) throw new Error(`could not initialise the repository: ${describeCommand(init)}`);
}

/**
 * The feature's working tree at .worktrees/<featureId> on branch feature/<featureId> (kept across sprints).
 * `afterFault`: the task's previous sandbox was lost, maybe with a git command of the task killed
 * in the middle: its stale index lock would fail every later git command in the tree. Only this
 * task uses the tree, so the lock is nobody else's.
 */
export async function ensureWorktree(port: SandboxPort, sandboxId: string, featureId: string, keys: RequestKeys, afterFault = false): Promise<void> {
  const dir = `.worktrees/${featureId}`;
  const branch = `feature/${featureId}`;
  const unlock = afterFault ? `rm -f .git/worktrees/${featureId}/index.lock; ` : '';
  const r = await port.run(
    keys.ids('worktree'),
    sandboxId,
    `${unlock}[ -e ${dir}/.git ] || git worktree add -q ${dir} ${branch} 2>/dev/null || git worktree add -q -b ${branch} ${dir} main`,
    60_000,
  );
  if (r.exitCode !== 0) throw new Error(`could not make the working tree of ${featureId}: ${describeCommand(r)}`);
}

/** Commits whatever the agents changed in the feature's tree (nothing when clean). */
export function commitScript(workdir: string, author: { name: string; email: string }, message: string): string {
  return `cd ${sh(workdir)} && git add -A && (git diff --cached --quiet || ${GIT(author.name, author.email)} commit -qm ${sh(message)})`;
}

/** The diff of the feature branch's tree against main, for the reviewer. */
export function diffScript(workdir: string): string {
  return `cd ${sh(workdir)} && git add -A && git diff --cached --stat main && git diff --cached main`;
}

/**
 * In a fresh sandbox: main merged with the branch in a scratch clone, the original acceptance files
 * restored over whatever the agents did to them, then the given tests. Exit 3 and MERGE_CONFLICT
 * when the merge conflicts.
 */
export function candidateScript(branch: string, acceptance: { path: string; base64: string }[], command: string, tests: string[]): string {
  const restore = acceptance.map((f) => `mkdir -p "$(dirname ${sh(f.path)})" && printf %s ${sh(f.base64)} | base64 -d > ${sh(f.path)}`).join(' && ');
  return [
    'set -e',
    'rm -rf /tmp/candidate && git clone -q /workspace /tmp/candidate && cd /tmp/candidate',
    `if ! ${CI_GIT} merge --no-ff --no-edit -q ${sh(`origin/${branch}`)} > /tmp/merge.out 2>&1; then echo MERGE_CONFLICT; git diff --name-only --diff-filter=U; cat /tmp/merge.out; exit 3; fi`,
    restore || 'true',
    'set +e',
    `${command} ${tests.map(sh).join(' ')}`,
  ].join('\n');
}

/**
 * Merges the branch into main in the repository itself (after the candidate passed) and prints the
 * commit; merging again what is merged prints it too. `afterFault`: an earlier attempt was cut off,
 * maybe in the middle of git, leaving main's index lock — stale, since merges hold the simulation's
 * merge lock and main's one other writer (its first commit) is long done.
 */
export function mergeScript(branch: string, message: string, afterFault = false): string {
  const unlock = afterFault ? 'rm -f .git/index.lock; ' : '';
  return `cd /workspace && ${unlock}${CI_GIT} merge --no-ff -q -m ${sh(message)} ${sh(branch)} && git rev-parse HEAD`;
}

/**
 * The features integrated into main, from its merge commits (a branch just made from main also
 * counts as "merged" for git, so branch ancestry would not do).
 */
export function mergedFeaturesScript(): string {
  return `cd /workspace && git log main --merges --format=%s | sed -n 's|^Merge feature/\\([^:]*\\):.*|\\1|p' | sort -u`;
}
