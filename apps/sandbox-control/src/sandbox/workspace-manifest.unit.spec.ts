import { diffManifest, isSkippedPath, normaliseWorkspacePath, rebuildWorkspace } from './workspace-manifest';
import { checkedWorkspacePath } from './workspace-files';
import { inlineOutput } from './output-inline';
import { pickEngineKey } from './engines';

const h = (c: string) => c.repeat(64);

describe('manifest diff', () => {
  it('lists new, modified and deleted files, sorted, and nothing for equal manifests', () => {
    const before = new Map([['a.py', h('1')], ['b.py', h('2')], ['gone.txt', h('3')]]);
    const after = new Map([['a.py', h('1')], ['b.py', h('4')], ['new/c.py', h('5')]]);
    expect(diffManifest(before, after)).toEqual([
      { path: 'b.py', hash: h('4') },
      { path: 'gone.txt', hash: null },
      { path: 'new/c.py', hash: h('5') },
    ]);
    expect(diffManifest(after, new Map(after))).toEqual([]);
  });

  it('rebuildWorkspace folds writes and changes, per workspace, and agrees with the diffs it was made of', () => {
    const m0 = new Map<string, string>();
    const m1 = new Map([['a.py', h('1')], ['t/test_a.py', h('2')]]);
    const m2 = new Map([['a.py', h('3')], ['out.txt', h('4')]]);
    const events = [
      { type: 'FileWritten', data: { workspaceId: 'w', path: 'a.py', hash: h('1') } },
      { type: 'FileWritten', data: { workspaceId: 'other', path: 'x', hash: h('9') } },
      { type: 'CommandExecuted', data: {} },
      { type: 'WorkspaceChanged', data: { workspaceId: 'w', files: diffManifest(new Map([['a.py', h('1')]]), m1) } },
      { type: 'WorkspaceChanged', data: { workspaceId: 'w', files: diffManifest(m1, m2) } },
    ];
    expect(rebuildWorkspace(events, 'w')).toEqual(m2);
    expect(rebuildWorkspace(events.slice(0, 4), 'w')).toEqual(m1);
    expect(rebuildWorkspace([], 'w')).toEqual(m0);
    expect(rebuildWorkspace(events).get('x')).toBe(h('9'));
  });

  it('normalises paths and knows the skipped directories', () => {
    expect(normaliseWorkspacePath('./src//a.py')).toBe('src/a.py');
    expect(normaliseWorkspacePath('a/../../b')).toBeNull();
    expect(normaliseWorkspacePath('/etc/passwd')).toBeNull();
    expect(isSkippedPath('pkg/__pycache__/a.pyc')).toBe(true);
    expect(isSkippedPath('.gitignore')).toBe(false);
    expect(isSkippedPath('node_modules/x/index.js')).toBe(true);
  });
});

describe('file API paths', () => {
  const code = (p: string) => {
    try {
      checkedWorkspacePath(p);
      return 'ok';
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  it('refuses escapes and reserved directories with a clear code', () => {
    expect(code('../../etc/passwd')).toBe('SANDBOX_PATH_OUTSIDE_WORKSPACE');
    expect(code('/etc/passwd')).toBe('SANDBOX_PATH_OUTSIDE_WORKSPACE');
    expect(code('a/../../x')).toBe('SANDBOX_PATH_OUTSIDE_WORKSPACE');
    expect(code('.git/config')).toBe('SANDBOX_PATH_INVALID');
    expect(code('a\0b')).toBe('SANDBOX_PATH_INVALID');
    expect(code('src/a.py')).toBe('ok');
    expect(checkedWorkspacePath('./src//a.py')).toBe('src/a.py');
  });
});

describe('reply output', () => {
  it('keeps short output whole and long output as head + marker + tail within the budget', () => {
    expect(inlineOutput('hello', 100, undefined)).toBe('hello');
    const long = 'a'.repeat(5000) + 'END';
    const out = inlineOutput(long, 1000, h('f'));
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(1000);
    expect(out.startsWith('aaa')).toBe(true);
    expect(out.endsWith('END')).toBe(true);
    expect(out).toContain(h('f'));
    const control = '\u0001'.repeat(5000);
    expect(Buffer.byteLength(JSON.stringify(inlineOutput(control, 2000, h('f'))))).toBeLessThanOrEqual(2000);
  });
});

describe('engine choice', () => {
  it('is stable per sandbox and spreads sandboxes over engines', () => {
    const keys = ['unix:///a.sock', 'tcp://b:2375', 'tcp://c:2375'];
    expect(pickEngineKey('sbx-42', keys)).toBe(pickEngineKey('sbx-42', [...keys].reverse()));
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const k = pickEngineKey(`sbx-${i}`, keys);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    for (const k of keys) expect(counts.get(k)).toBeGreaterThan(850);
  });
});
