import { RequestKeys } from './request-keys';
import { SandboxPort } from './sandbox.port';
import { ToolSettings, executeTool, treePath } from './tool-executor';

const settings: ToolSettings = {
  workdir: '.worktrees/f1',
  testCommand: 'pytest',
  tests: ['tests/test_f1.py'],
  allowed: ['write_file', 'read_file', 'list_files', 'run_command', 'run_tests', 'finish'],
};
const keys = new RequestKeys(['task-1']);
const call = (name: string, args: unknown) => ({ id: 'call_1_0', name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });

/** A port whose every request fails the way sandbox-control would (`code`), remembering what was asked. */
function aPortFailingWith(code: string) {
  const asked: string[] = [];
  const fail = (what: string) => async () => {
    asked.push(what);
    throw Object.assign(new Error(`${what} refused`), { code });
  };
  const port = { write: fail('write'), read: fail('read'), run: fail('run') } as unknown as SandboxPort;
  return { port, asked };
}

describe(executeTool.name, () => {
  it.each([
    ['arguments that are not JSON', call('write_file', '{"path": "a.py", '), /not valid JSON/],
    ['a missing argument', call('write_file', { path: 'a.py' }), /invalid arguments for write_file: content/],
    ['an argument of the wrong type', call('run_command', { command: 'ls', timeout_seconds: 'soon' }), /invalid arguments for run_command: timeout_seconds/],
    ['a timeout over the limit', call('run_command', { command: 'sleep 1', timeout_seconds: 3600 }), /invalid arguments for run_command: timeout_seconds/],
    ['an absolute path', call('write_file', { path: '/etc/passwd', content: 'x' }), /must be relative to the repository root/],
    ['a path out of the tree', call('read_file', { path: 'src/../../other/secret' }), /leaves the repository/],
    ['a tool the role does not have', call('deploy_to_prod', {}), /unknown tool "deploy_to_prod"; available: write_file/],
  ])('answers %s with a failed result the agent reads, asking the sandbox nothing', async (_case, bad, output) => {
    const { port, asked } = aPortFailingWith('SANDBOX_NOT_FOUND');

    const result = await executeTool(port, 'sb-1', bad, settings, keys);

    expect(result).toMatchObject({ toolCallId: 'call_1_0', name: bad.name, ok: false, output: expect.stringMatching(output) });
    expect(asked).toEqual([]);
  });

  it("turns the sandbox's refusal (a missing file) into a failed result naming its code", async () => {
    const { port, asked } = aPortFailingWith('SANDBOX_FILE_NOT_FOUND');

    const result = await executeTool(port, 'sb-1', call('read_file', { path: 'missing.py' }), settings, keys);

    expect(asked).toEqual(['read']);
    expect(result).toMatchObject({ ok: false, output: expect.stringContaining('read_file failed (SANDBOX_FILE_NOT_FOUND)') });
  });

  it.each(['SANDBOX_NOT_FOUND', 'RPC_INTERRUPTED', 'RPC_TIMEOUT'])('leaves a lost sandbox or a failed request (%s) to the runner', async (code) => {
    const { port } = aPortFailingWith(code);

    await expect(executeTool(port, 'sb-1', call('run_tests', {}), settings, keys)).rejects.toMatchObject({ code });
  });
});

describe(treePath.name, () => {
  it('puts a relative path inside the working tree, normalised', () => {
    expect(treePath('.worktrees/f1', 'src/./a/../b.py')).toBe('.worktrees/f1/src/b.py');
    expect(treePath('.worktrees/f1', 'src\\win.py')).toBe('.worktrees/f1/src/win.py');
  });

  it.each(['..', '../x', 'a/../../x', '~/x', 'a\0b'])('refuses %j', (p) => {
    expect(() => treePath('.worktrees/f1', p)).toThrow(/repository/);
  });
});
