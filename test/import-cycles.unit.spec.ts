import * as path from 'node:path';
import { importCycles, importGraph } from '../scripts/check-import-cycles';

const repoRoot = path.resolve(__dirname, '..');
const rel = (f: string) => path.relative(repoRoot, f);

describe('imports between layers (scripts/check-import-cycles.ts)', () => {
  const graph = importGraph(repoRoot, ['libs', 'apps']);

  it('finds none in libs/ and apps/', () => {
    expect(importCycles(graph, repoRoot)).toEqual([]);
  });

  it('resolves relative imports, type-only ones and the @swe-sim paths to the files they name', () => {
    const errors = graph.get(path.join(repoRoot, 'libs/llm-gateway/src/errors.ts'))!.map(rel);
    expect(errors).toEqual(['libs/llm-gateway/src/call-key.ts']);
    const exportFile = graph.get(path.join(repoRoot, 'apps/project-management/src/simulations/export-simulation/simulation-export.ts'))!.map(rel);
    expect(exportFile).toContain('libs/contracts/src/index.ts');
  });

  it('only agent-execution depends on the LLM gateway among the apps', () => {
    const importers = [...graph]
      .filter(([file, targets]) => file.includes(`${path.sep}apps${path.sep}`) && targets.some((t) => rel(t).startsWith('libs/llm-gateway/')))
      .map(([file]) => rel(file).split('/')[1]);
    expect(new Set(importers)).toEqual(new Set(['agent-execution']));
  });

  it('no library imports an app (tests that start one, like the simulator, live in test/)', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      rel(file).startsWith('libs/') ? targets.filter((t) => rel(t).startsWith('apps/')).map((t) => `${rel(file)} → ${rel(t)}`) : [],
    );
    expect(upward).toEqual([]);
  });

  it('reports each group of files in a circle once, and a file importing itself', () => {
    const g = new Map([
      ['/r/a.ts', ['/r/b.ts']],
      ['/r/b.ts', ['/r/c.ts', '/r/d.ts']],
      ['/r/c.ts', ['/r/a.ts']],
      ['/r/d.ts', []],
      ['/r/e.ts', ['/r/e.ts']],
    ]);
    expect(importCycles(g, '/r')).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  });
});
