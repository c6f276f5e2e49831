import { execFileSync } from 'node:child_process';
import path from 'node:path';

const SCRIPTS = path.resolve(__dirname, '../../scripts/infra');

/**
 * Runs `scripts/infra/<script>` (an ensure-*.sh that installs a pinned tool under .cache/ when it is
 * missing, saying so on stderr) and returns the last line it prints: the tool's path.
 */
export function ensureTool(script: string, timeoutMs = 900_000): string {
  const output = execFileSync('bash', [path.join(SCRIPTS, script)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: timeoutMs });
  return output.trim().split('\n').pop()!;
}
