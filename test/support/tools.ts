import { ChildProcess, execFile, ExecFileOptions, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const REPO = path.resolve(__dirname, '../..');

/**
 * Runs the bash script `script` (a path from the repository root, e.g. `scripts/infra/ensure-consul.sh`,
 * which installs a pinned tool under .cache/ when missing and says so on stderr) with `args`,
 * synchronously, its stderr shown, and returns the last line it prints on stdout (a tool's path, a URL).
 * @throws Error when it exits non-zero or runs longer than `timeoutMs` milliseconds.
 */
export function runScript(script: string, args: readonly string[] = [], { timeoutMs = 900_000 }: { timeoutMs?: number } = {}): string {
  const output = execFileSync('bash', [path.join(REPO, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: timeoutMs });
  return output.trim().split('\n').at(-1) ?? '';
}

interface Exited {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  error?: Error;
}

async function execute(command: string, args: readonly string[], options: ExecFileOptions): Promise<Exited> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { ...options, encoding: 'utf8' });
    return { code: 0, signal: null, stdout, stderr };
  } catch (error) {
    const e = error as Error & { code: number; signal: NodeJS.Signals | null; stdout?: string; stderr?: string };
    return { code: e.code, signal: e.signal, stdout: e.stdout ?? '', stderr: e.stderr ?? '', error: e };
  }
}

/**
 * Runs `command` with `args` (no shell) and resolves with its exit code and its stdout followed by
 * its stderr. A failing command resolves too, with its code (a string such as 'ENOENT' when it
 * could not be started), so that a test can assert on both.
 */
export async function runCaptured(command: string, args: readonly string[], options: ExecFileOptions = {}): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await execute(command, args, options);
  return { code, output: stdout + stderr };
}

/**
 * Runs `command` with `args` (no shell) and resolves with its stdout and stderr.
 * @throws Error naming the command, why it failed (exit code, signal: `options.timeout` is in
 * milliseconds) and its stdout and stderr, when it exits non-zero, cannot start or times out.
 */
export async function run(command: string, args: readonly string[], options: ExecFileOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const { code, signal, stdout, stderr, error } = await execute(command, args, options);
  if (!error) return { stdout, stderr };
  const reason = typeof code === 'number' ? `exit code ${String(code)}` : signal ? `killed by ${signal}` : error.message;
  throw new Error(`${command} ${args.join(' ')} failed: ${reason}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
}

/** Stops `child` if it runs: SIGTERM, then SIGKILL after `graceMs` milliseconds; resolves once it exited. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  child.kill('SIGTERM');
  const killer = setTimeout(() => {
    child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(killer);
}
