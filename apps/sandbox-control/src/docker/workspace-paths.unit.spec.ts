import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readWorkspaceFile, resolveWorkspacePath, SandboxPathError, writeWorkspaceFile } from './workspace-paths';
import { assertSafeWorkspaceHostPath } from './workspace-host-path';

describe('workspace paths', () => {
  let root: string;
  let outside: string;

  beforeAll(async () => {
    root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ws-paths-')));
    outside = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ws-outside-')));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'a.py'), 'print(1)\n');
    await fs.writeFile(path.join(outside, 'secret'), 'secret\n');
    await fs.symlink('/etc/passwd', path.join(root, 'passwd-link'));
    await fs.symlink(outside, path.join(root, 'out-dir'));
    await fs.symlink(path.join(outside, 'not-yet'), path.join(root, 'dangling'));
    await fs.symlink('src', path.join(root, 'src-link'));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(outside, { recursive: true, force: true });
  });

  async function refusal(rel: string): Promise<SandboxPathError> {
    try {
      await resolveWorkspacePath(root, rel);
    } catch (err) {
      expect(err).toBeInstanceOf(SandboxPathError);
      return err as SandboxPathError;
    }
    throw new Error(`${rel} was not refused`);
  }

  it('resolves ordinary paths, existing or not', async () => {
    expect(await resolveWorkspacePath(root, 'src/a.py')).toBe(path.join(root, 'src', 'a.py'));
    expect(await resolveWorkspacePath(root, './src//new/b.py')).toBe(path.join(root, 'src', 'new', 'b.py'));
    expect(await resolveWorkspacePath(root, 'src/../README.md')).toBe(path.join(root, 'README.md'));
    expect(await resolveWorkspacePath(root, 'src-link/a.py')).toBe(path.join(root, 'src', 'a.py'));
    expect(await resolveWorkspacePath(root, '.')).toBe(root);
  });

  it.each([
    ['../../etc/passwd', 'parent-escape'],
    ['..', 'parent-escape'],
    ['src/../../x', 'parent-escape'],
    ['/etc/passwd', 'absolute'],
    ['passwd-link', 'symlink-escape'],
    ['out-dir/secret', 'symlink-escape'],
    ['out-dir/new-file', 'symlink-escape'],
    ['dangling', 'symlink-escape'],
  ])('refuses %s (%s)', async (rel, reason) => {
    const err = await refusal(rel);
    expect(err.code).toBe('SANDBOX_PATH_OUTSIDE_WORKSPACE');
    expect(err.reason).toBe(reason);
  });

  it('refuses empty paths and NUL bytes as invalid', async () => {
    expect((await refusal('')).code).toBe('SANDBOX_PATH_INVALID');
    expect((await refusal('a\0b')).code).toBe('SANDBOX_PATH_INVALID');
  });

  it('reads and writes inside, never through a symlink out', async () => {
    await writeWorkspaceFile(root, 'pkg/mod/x.txt', 'data', undefined);
    expect((await readWorkspaceFile(root, 'pkg/mod/x.txt')).toString()).toBe('data');
    await writeWorkspaceFile(root, 'pkg/mod/x.txt', 'new', undefined);
    expect((await readWorkspaceFile(root, 'pkg/mod/x.txt')).toString()).toBe('new');
    await expect(readWorkspaceFile(root, 'passwd-link')).rejects.toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE' });
    await expect(writeWorkspaceFile(root, 'dangling', 'x', undefined)).rejects.toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE' });
    await expect(fs.stat(path.join(outside, 'not-yet'))).rejects.toThrow();
    expect(await fs.readFile(path.join(outside, 'secret'), 'utf8')).toBe('secret\n');
  });

  it('checks bind-mount host paths', async () => {
    await expect(assertSafeWorkspaceHostPath(root)).resolves.toBe(root);
    await expect(assertSafeWorkspaceHostPath(root, [path.dirname(root)])).resolves.toBe(root);
    await expect(assertSafeWorkspaceHostPath(root, [outside])).rejects.toMatchObject({ code: 'SANDBOX_INVALID_SPEC' });
    for (const bad of ['/', '/var/run', '/run', '/etc', 'relative/dir', path.join(root, 'nope')]) {
      await expect(assertSafeWorkspaceHostPath(bad)).rejects.toMatchObject({ code: 'SANDBOX_INVALID_SPEC' });
    }
  });
});
