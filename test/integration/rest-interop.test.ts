/**
 * An independent Python client of seed 003 (clients/python-rest/seed003_client.py, requests and
 * websockets) against the gateway of a running mesh (`npm start`'s services in one process, over
 * HTTPS and WSS with the tests' CA): the REST calls of section 4 and the WebSocket messages of
 * section 5 as the seed writes them. It prints a conformance table (call, expected, got, ok); the
 * test shows it, fails on any row not ok, and first holds the client to ruff and mypy --strict.
 */
import path from 'node:path';
import { tlsFiles } from '../../src/platform/tls/certificate-files';
import { freePort, request } from '../support/gateway-client';
import { MeshProcess, startMeshProcess } from '../support/mesh-process';
import { TEST_TLS_DIR } from '../support/tls';
import { runCaptured, runScript } from '../support/tools';
import { waitFor } from '../support/wait';

jest.setTimeout(600_000);

const REPO = path.resolve(__dirname, '../..');

describe("seed 003's REST and WebSocket API, from a Python client, against the gateway", () => {
  let mesh: MeshProcess | undefined;
  let python: string;
  let port: number;

  beforeAll(async () => {
    python = runScript('scripts/infra/ensure-python-tools.sh');
    // The mesh does not report the gateway's HTTPS port: one chosen here.
    port = await freePort();
    mesh = await startMeshProcess({ GATEWAY_HTTPS_PORT: String(port) });
    const serving = async () => (await request(port, 'GET', '/healthz').catch(() => undefined))?.status === 200;
    await waitFor("the gateway's HTTPS port serving", serving, 30_000, 200);
  }, 900_000);

  afterAll(async () => {
    await mesh?.stop();
  });

  it("the client's Python passes ruff and mypy --strict", async () => {
    const bin = path.dirname(python);
    const failed: string[] = [];
    for (const [tool, args] of [
      ['ruff', ['check', '--cache-dir', path.join(REPO, '.cache/ruff'), 'clients/python-rest']],
      ['ruff', ['format', '--check', '--cache-dir', path.join(REPO, '.cache/ruff'), 'clients/python-rest']],
      ['mypy', ['--config-file', 'clients/python-rest/pyproject.toml', '--cache-dir', path.join(REPO, '.cache/mypy')]],
    ] as const) {
      const { code, output } = await runCaptured(path.join(bin, tool), [...args], { cwd: REPO, timeout: 300_000 });
      if (code !== 0) failed.push(`${tool} ${args.join(' ')}: exit ${String(code)}\n${output}`);
    }
    expect(failed).toEqual([]);
  });

  it('every REST call and WebSocket message answers as seed 003 writes it', async () => {
    const { code, output } = await runCaptured(python, [path.join(REPO, 'clients/python-rest/seed003_client.py')], {
      cwd: REPO,
      env: {
        ...process.env,
        GATEWAY_URL: `https://127.0.0.1:${String(port)}`,
        GATEWAY_CA: tlsFiles(TEST_TLS_DIR).caCertificate,
        FIXTURE_IMAGE: path.join(REPO, 'test/fixtures/faces/astronaut.png'),
      },
      timeout: 300_000,
    });
    console.log(output);
    const rows = output.split('\n').filter((line) => /^\| (GET|POST|WS) /.test(line));
    // Every call of the run: 9 REST, 4 WebSocket.
    expect(rows).toHaveLength(13);
    expect(rows.filter((row) => !row.endsWith('| ok |'))).toEqual([]);
    expect(code).toBe(0);
  });
});
