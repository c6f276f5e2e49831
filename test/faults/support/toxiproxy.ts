import { ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '../../support/wait';

/** A toxic as toxiproxy's HTTP API takes it (https://github.com/Shopify/toxiproxy#toxics). */
export interface Toxic {
  name: string;
  type: 'latency' | 'reset_peer' | 'timeout' | 'bandwidth' | 'slow_close' | 'limit_data';
  stream?: 'upstream' | 'downstream';
  toxicity?: number;
  attributes: Record<string, number>;
}

/** A toxiproxy server of our own, driven through its HTTP API. */
export class Toxiproxy {
  private constructor(
    private readonly child: ChildProcess,
    private readonly api: string,
  ) {}

  static async start(binary: string, apiPort: number): Promise<Toxiproxy> {
    const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(apiPort)], { stdio: 'ignore' });
    const proxy = new Toxiproxy(child, `http://127.0.0.1:${apiPort}`);
    await waitFor(
      'toxiproxy',
      () =>
        fetch(`${proxy.api}/version`).then(
          (r) => r.ok,
          () => false,
        ),
      10_000,
      100,
    ).catch(() => {
      child.kill('SIGKILL');
      throw new Error(`toxiproxy did not answer on port ${apiPort}`);
    });
    return proxy;
  }

  /** A TCP proxy listening on 127.0.0.1:`listenPort` towards `upstream` (host:port). */
  async createProxy(name: string, listenPort: number, upstream: string): Promise<void> {
    await this.request('POST', '/proxies', { name, listen: `127.0.0.1:${listenPort}`, upstream, enabled: true });
  }

  async addToxic(proxy: string, toxic: Toxic): Promise<void> {
    await this.request('POST', `/proxies/${proxy}/toxics`, { stream: 'downstream', toxicity: 1, ...toxic });
  }

  async removeToxic(proxy: string, name: string): Promise<void> {
    await this.request('DELETE', `/proxies/${proxy}/toxics/${name}`);
  }

  /** Disabling a proxy closes its connections and refuses new ones until it is enabled again. */
  async setEnabled(proxy: string, enabled: boolean): Promise<void> {
    await this.request('POST', `/proxies/${proxy}`, { enabled });
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }

  private async request(method: string, route: string, body?: unknown): Promise<void> {
    const response = await fetch(`${this.api}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`toxiproxy ${method} ${route}: ${response.status} ${await response.text()}`);
  }
}
