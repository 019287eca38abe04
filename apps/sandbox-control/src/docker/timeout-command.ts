/**
 * Docker has no API to kill an exec'd process, so every command runs under coreutils
 * `timeout` inside the container, started by a tiny /bin/sh wrapper:
 *
 *   timeout --kill-after=1 -s KILL SECS CMD... &   # timeout makes its own process group G
 *   echo G > PIDFILE                               # so that an abort can kill G
 *   wait; kill -s KILL -- -G                       # leftovers of the command die with it
 *   printf 'MARKER STATUS\n' >&2                   # the exit status, read from the stream
 *
 * When the limit passes, `timeout` sends SIGKILL to all of G (itself included): exit
 * status 137 (128+KILL), or 124 had TERM been used. When the command ends by itself,
 * the wrapper still kills G, so background children it left (`cmd &`, a fork bomb's
 * offspring) cannot hold the exec's output open or outlive it. Processes that left
 * the group (setsid, daemons) survive until the container is destroyed.
 * The shell's builtin kill signals the group (`--` keeps "-G" from being read as a signal):
 * one process less per command than procps' /bin/kill (≈ 3 ms of a `true`).
 */
export type SandboxCommand = string | readonly string[];

/** Exit statuses `timeout` gives when it fired. */
export const TIMEOUT_EXIT_CODES: ReadonlySet<number> = new Set([124, 137]);

const WRAPPER_SCRIPT = [
  'p="$1"; s="$2"; m="$3"; shift 3',
  'timeout --kill-after=1 -s KILL "$s" "$@" &',
  'g=$!',
  'echo "$g" > "$p" 2>/dev/null',
  'wait "$g"; rc=$?',
  'kill -s KILL -- "-$g" 2>/dev/null',
  'rm -f "$p"',
  'printf "%s %s\\n" "$m" "$rc" >&2', // the exit status, last on stderr (see exit-trailer.ts)
  'exit "$rc"',
].join('\n');

export function commandArgv(cmd: SandboxCommand): string[] {
  if (typeof cmd === 'string') return ['/bin/sh', '-c', cmd];
  if (cmd.length === 0) throw new Error('empty command');
  return [...cmd];
}

/** `timeout` takes fractional seconds; keep millisecond resolution. */
export function timeoutSeconds(timeoutMs: number): string {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  const s = (Math.ceil(timeoutMs) / 1000).toFixed(3);
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * The argv that exec runs: the wrapper above around `timeout` around the command. The wrapper ends
 * stderr with `<exitMarker> <exit status>` (ExitTrailer reads and strips it).
 */
export function timeoutWrappedArgv(cmd: SandboxCommand, timeoutMs: number, pidFile: string, exitMarker: string): string[] {
  return ['/bin/sh', '-c', WRAPPER_SCRIPT, 'swe-sim-exec', pidFile, timeoutSeconds(timeoutMs), exitMarker, ...commandArgv(cmd)];
}

/**
 * Argv that kills the process group recorded in pidFile (used when a caller aborts). The shell's
 * builtin kill, as in the wrapper: procps-ng 4's /bin/kill (bookworm) refuses `-- -G` with its usage.
 */
export function killGroupArgv(pidFile: string): string[] {
  return ['/bin/sh', '-c', 'g=$(cat "$1" 2>/dev/null) && [ -n "$g" ] && kill -s KILL -- "-$g"', 'swe-sim-kill', pidFile];
}
