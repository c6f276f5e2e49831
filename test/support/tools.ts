import { execFile, ExecFileOptions, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const SCRIPTS = path.resolve(__dirname, '../../scripts/infra');

/**
 * Runs `scripts/infra/<script>` (an ensure-*.sh that installs a pinned tool under .cache/ when it is
 * missing, saying so on stderr) and returns the last line it prints: the tool's path.
 */
export function ensureTool(script: string, timeoutMs = 900_000): string {
  const output = execFileSync('bash', [path.join(SCRIPTS, script)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: timeoutMs });
  return output.trim().split('\n').pop()!;
}

/**
 * Runs `command` with `args` (no shell) and resolves with its exit code and its stdout followed by
 * its stderr. A failing command resolves too, with its code (a string such as 'ENOENT' when it
 * could not be started), so that a test can assert on both.
 */
export async function runCaptured(command: string, args: readonly string[], options: ExecFileOptions = {}): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { ...options, encoding: 'utf8' });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}
