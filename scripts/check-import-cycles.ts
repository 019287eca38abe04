/**
 * Fails when a source file of libs/ or apps/ imports itself through other files (an import cycle).
 * madge is not a dependency (and npm is not reached from CI), so this walks the imports itself:
 * TypeScript's own scanner finds every import, export-from, require and import() (type-only ones
 * too: they tie modules together just the same), and TypeScript's resolver follows the tsconfig
 * paths (@swe-sim/…) to the library's index.
 *
 *   node dist/scripts/check-import-cycles.js [root …]     (default roots: libs apps)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) sourceFiles(full, out);
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function compilerOptions(repoRoot: string): ts.CompilerOptions {
  const configPath = path.join(repoRoot, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, repoRoot).options;
}

/** The import graph of the files under `roots`: each file to the files of the repository it imports. */
export function importGraph(repoRoot: string, roots: string[]): Map<string, string[]> {
  const options = compilerOptions(repoRoot);
  const graph = new Map<string, string[]>();
  for (const root of roots) {
    for (const file of sourceFiles(path.resolve(repoRoot, root))) {
      const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
      const targets = new Set<string>();
      for (const imported of importedFiles) {
        const resolved = ts.resolveModuleName(imported.fileName, file, options, ts.sys).resolvedModule;
        if (!resolved || resolved.isExternalLibraryImport) continue;
        const target = path.resolve(resolved.resolvedFileName);
        if (!target.includes(`${path.sep}node_modules${path.sep}`)) targets.add(target);
      }
      graph.set(path.resolve(file), [...targets]);
    }
  }
  return graph;
}

/** Every group of files that import one another in a circle (Tarjan's strongly connected components), as paths relative to `base`. */
export function importCycles(graph: Map<string, string[]>, base = process.cwd()): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(group.map((f) => path.relative(base, f)).sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

if (require.main === module) {
  const repoRoot = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
  const roots = process.argv.slice(2);
  const graph = importGraph(repoRoot, roots.length ? roots : ['libs', 'apps']);
  const cycles = importCycles(graph, repoRoot);
  if (cycles.length === 0) {
    console.log(`no import cycle among ${graph.size} files`);
  } else {
    for (const c of cycles) console.log(`import cycle: ${c.join(' ↔ ')}`);
    console.log(`${cycles.length} import cycle(s) among ${graph.size} files`);
    process.exitCode = 1;
  }
}
