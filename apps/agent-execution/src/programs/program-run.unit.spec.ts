import { execFileSync } from 'node:child_process';
import { programCommand, programDigest } from './program-run';

const program = { files: [{ path: 'a.py', hash: 'a'.repeat(64), size: 1 }], command: `python3 "$SWE_SIM_PROGRAM_DIR/a.py" --say 'it''s'`, stack: 'python' as const, timeLimitMs: 2500 };

describe('the sandbox command of a program run', () => {
  const cmd = programCommand({ workdir: '.worktrees/f1', program, featureId: 'f1', testCommand: 'python3 -m pytest tests/t.py', run: 2 });

  it('is valid sh, runs in the worktree under timeout, with the protocol variables and the forwarder in front', () => {
    execFileSync('sh', ['-n', '-c', cmd]);
    expect(cmd).toMatch(/^cd '\.worktrees\/f1' \|\| exit 125;/);
    expect(cmd).toContain("export OPENAI_BASE_URL='http://127.0.0.1:8765/v1'");
    expect(cmd).toContain("export SWE_SIM_RUN='2'");
    expect(cmd).toContain('exec timeout -k 2 2.5s "$@" /bin/sh -c');
    expect(cmd).toContain('python3 /run/swe-sim/forward.py');
  });

  it('names the program by digest: another file or command is another request (a replay or fork of a changed program diverges)', () => {
    expect(cmd).toContain(`SWE_SIM_PROGRAM_SHA256='${programDigest(program)}'`);
    expect(programDigest({ ...program, files: [{ ...program.files[0], hash: 'b'.repeat(64) }] })).not.toBe(programDigest(program));
    expect(programDigest({ ...program, command: 'true' })).not.toBe(programDigest(program));
  });

  it('passes the command to sh intact (quotes included)', () => {
    const quoted = cmd.slice(cmd.indexOf('/bin/sh -c ') + '/bin/sh -c '.length);
    expect(execFileSync('sh', ['-c', `printf %s ${quoted}`], { encoding: 'utf8' })).toBe(program.command);
  });
});
