import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { waitForHealth } from './grpc-clients';

const REPO = path.resolve(__dirname, '../..');

/** A service running in its own process, as `npm start -- --services <name>` runs it. */
export class ServiceProcess {
  private readonly exited: Promise<number | null>;
  readonly output: string[] = [];

  private constructor(
    /** The service, or services joined by commas when one process runs several. */
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
  }

  /** Starts `name` (or several services in one process) with `env` on top of this process's environment. */
  static start(name: string | readonly string[], env: Record<string, string>): ServiceProcess {
    const services = typeof name === 'string' ? name : name.join(',');
    // node --import tsx, not the tsx wrapper: signals reach the service itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start', '--services', services], {
      cwd: REPO,
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(services, child);
  }

  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }

  /**
   * Resolves once the server at `address` reports SERVING; rejects as soon as the process exits
   * instead, rather than polling a dead address until the timeout (milliseconds).
   */
  async waitServing(address: string, timeoutMs: number): Promise<void> {
    const died = this.exited.then((code) => {
      throw new Error(`${this.name} exited (code ${code}) before serving on ${address}`);
    });
    await Promise.race([waitForHealth(address, 'SERVING', timeoutMs), died]);
  }

  /** The process's logs, for a failing test's message. */
  logs(): string {
    return this.output.join('');
  }
}
