import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SandboxEngine } from './sandbox-engine';
import { SandboxImageTags } from './sandbox-image-tags';
import { requireSandboxImages, testRunId } from './sandbox-test-support';
import { writeWorkspaceFile } from './workspace-paths';

describe('sandbox images run their test runners under the hardened settings', () => {
  const runId = testRunId('images-it');
  const wsRoot = path.join(os.tmpdir(), `${runId}-ws`);
  const engine = new SandboxEngine({ instanceId: runId, workspaceRoot: wsRoot });
  let tags: SandboxImageTags;

  beforeAll(async () => {
    tags = await requireSandboxImages(engine.docker);
  });

  afterAll(async () => {
    await engine.reap(() => true, { owner: runId });
    await engine.close();
    await fs.rm(wsRoot, { recursive: true, force: true });
  });

  it('python: pytest passes and fails as the tests say', async () => {
    const sbx = await engine.createSandbox({ sandboxId: `${runId}-py`, simulationId: 's', image: tags.python, workspace: { type: 'fresh' } });
    const ws = sbx.workspaceHostPath!;
    await writeWorkspaceFile(ws, 'calc.py', 'def add(a, b):\n    return a + b\n');
    await writeWorkspaceFile(ws, 'tests/test_calc.py', 'from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n\ndef test_bad():\n    assert add(2, 2) == 5\n');
    const r = await engine.exec(sbx.sandboxId, ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { timeoutMs: 30_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/1 failed, 1 passed/);
    const git = await engine.exec(sbx.sandboxId, 'git init -q && git add -A && git commit -qm init && git log --oneline | wc -l');
    expect(git.stdout.trim()).toBe('1');
  });

  it('node: node --test runs, npm is present', async () => {
    const sbx = await engine.createSandbox({ sandboxId: `${runId}-node`, simulationId: 's', image: tags.node, workspace: { type: 'fresh' } });
    const ws = sbx.workspaceHostPath!;
    await writeWorkspaceFile(ws, 'sum.js', 'module.exports = (a, b) => a + b;\n');
    await writeWorkspaceFile(
      ws,
      'test/sum.test.js',
      "const test = require('node:test');\nconst assert = require('node:assert');\nconst sum = require('../sum');\n" +
        "test('adds', () => assert.strictEqual(sum(1, 2), 3));\n",
    );
    const r = await engine.exec(sbx.sandboxId, 'node --test test/ && npm --version', { timeoutMs: 30_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/# pass 1/);
    expect(r.stdout).toMatch(/# fail 0/);
  });
});
