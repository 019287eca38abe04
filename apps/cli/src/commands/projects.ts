import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliContext } from '../context';
import { UsageError } from '../exit-codes';

interface ProjectFile {
  path: string;
  content: string;
}

/** Every file under a folder (sorted, '/' separators): an example's acceptance/ or scaffold/. */
function tree(dir: string, rel = ''): ProjectFile[] {
  if (!existsSync(join(dir, rel))) return [];
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .filter((e) => !['__pycache__', '.pytest_cache', 'node_modules', '.git'].includes(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const p = rel ? `${rel}/${e.name}` : e.name;
      return e.isDirectory() ? tree(dir, p) : e.isFile() ? [{ path: p, content: readFileSync(join(dir, p), 'utf8') }] : [];
    });
}

/**
 * The body of POST /projects from a project.json, or from a folder laid out like examples/<name>
 * (project.json, acceptance/ and scaffold/ folders whose files are added when the JSON has none).
 */
export function readProject(source: string): Record<string, any> {
  const path = resolve(source);
  if (!existsSync(path)) throw new UsageError(`${source}: no such file or folder`);
  const dir = statSync(path).isDirectory() ? path : null;
  const file = dir ? join(dir, 'project.json') : path;
  if (!existsSync(file)) throw new UsageError(`${source}: no project.json in the folder`);
  let body: Record<string, any>;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: not JSON (${(err as Error).message})`);
  }
  if (dir) {
    body.acceptance = { ...body.acceptance, files: body.acceptance?.files ?? tree(join(dir, 'acceptance')) };
    body.scaffold ??= tree(join(dir, 'scaffold'));
  }
  return body;
}

export async function createProject(ctx: CliContext, source: string) {
  const created = await ctx.api.createProject(readProject(source));
  ctx.print(`project ${created.projectId}`, created);
}

export async function listProjects(ctx: CliContext, options: { limit: number }) {
  const page = await ctx.api.listProjects({ limit: options.limit });
  ctx.print(page.items.map((p) => `${p.projectId}  ${p.stack.padEnd(6)}  ${p.backlogStatus.padEnd(7)}  ${p.name}`).join('\n') || 'no projects', page);
}
