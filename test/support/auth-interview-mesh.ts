import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Mesh, startMesh } from '../../src/mesh/start-mesh';
import { loadConfig } from '../../src/platform/config/mesh-config';
import { Logger, silentLogger } from '../../src/platform/log/logger';
import { waitForHealth } from './grpc-clients';
import { TEST_MESH_ENV } from './mesh-env';

/**
 * The auth and interview services in this process through startMesh, both SERVING: PGlite in
 * memory, the in-process bus, the tests' TLS, free ports, cheap password hashes and signing keys in
 * a fresh directory of the system's temporary one (`<prefix>-keys-…`; remove it after `mesh.stop`).
 * Emotion and scoring do not run: their addresses refuse, so a frame is only queued and the
 * breakers towards them stay closed until called. `env` goes on top (LIMIT_* variables, …).
 */
export async function startAuthAndInterview(
  prefix: string,
  env: Record<string, string> = {},
  log: Logger = silentLogger(),
): Promise<{ mesh: Mesh; keysDir: string }> {
  const keysDir = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-keys-`));
  const full = {
    DATA_DIR: 'memory://',
    ...TEST_MESH_ENV,
    BIND_HOST: '127.0.0.1',
    AUTH_SCRYPT_COST: '10',
    AUTH_KEYS_DIR: keysDir,
    AUTH_PORT: '0',
    INTERVIEW_PORT: '0',
    EMOTION_ADDR: '127.0.0.1:9',
    SCORING_ADDR: '127.0.0.1:9',
    ...env,
  };
  const mesh = await startMesh({ ...loadConfig(full), dataDir: 'memory://' }, ['auth', 'interview'], log, { env: full });
  await Promise.all([waitForHealth(mesh.address('auth'), 'SERVING', 10_000), waitForHealth(mesh.address('interview'), 'SERVING', 10_000)]);
  return { mesh, keysDir };
}
