import { TEST_MESH_ENV } from './mesh-env';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES } from '../../src/mesh/registry';
import { serviceVariable } from '../../src/platform/config/mesh-config';
import { freePort } from './grpc-clients';
import { TEST_INVITATION_CODE } from './identity';
import { createTestDatabase, createTestVhost, serviceBrokerEnv, serviceDatabaseEnv } from './infrastructure';
import { ServiceProcess } from './service-process';

/** Every service in one process (`npm start`), on a database and a vhost of their own. */
export interface MeshProcess {
  readonly addresses: Readonly<Record<string, string>>;
  /** The environment it runs with, besides this process's: meshEnv's (DATABASE_URL, AUTH_KEYS_DIR, ...) and the extra variables. */
  readonly env: Readonly<Record<string, string>>;
  /** SIGTERM, then drops the database and the vhost. */
  stop(): Promise<void>;
}

/** A free TCP port for each service of the mesh. */
export async function meshPorts(): Promise<Record<string, number>> {
  const ports = {} as Record<string, number>;
  for (const name of SERVICE_NAMES) ports[name] = await freePort();
  return ports;
}

/**
 * The environment every service of the mesh needs: its database and its broker (each service as its
 * own role and broker user, when `databaseUrl` and `amqpUrl` are createTestDatabase's and
 * createTestVhost's; `amqpUrl` may reach that vhost through a proxy), and every service's
 * port (`<NAME>_PORT`) on 127.0.0.1; for the auth service, cheap password hashes, the tests'
 * invitation code (TEST_INVITATION_CODE, so that tests can register interviewers) and signing keys
 * in a directory of this mesh's own (AUTH_KEYS_DIR, under the system's temporary directory; remove
 * it with removeAuthKeys), and so the report links' key (INTERVIEW_REPORT_LINK_KEY_FILE); and the tests' TLS directory and a free metrics port (TEST_MESH_ENV).
 */
export function meshEnv(ports: Readonly<Record<string, number>>, databaseUrl: string, amqpUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    // Each service on its own role, owning only its schema, as deployed (createTestDatabase).
    ...serviceDatabaseEnv(databaseUrl),
    AMQP_URL: amqpUrl,
    // Each service as its own broker user, allowed only its own queues and routing keys (createTestVhost).
    ...serviceBrokerEnv(amqpUrl),
    BIND_HOST: '127.0.0.1',
    AUTH_SCRYPT_COST: '10',
    AUTH_INTERVIEWER_INVITATION_CODE: TEST_INVITATION_CODE,
    AUTH_KEYS_DIR: path.join(os.tmpdir(), `mesh-auth-keys-${randomUUID()}`),
    // The report links' key, made by the interview service on its first start (the security suite forges with it).
    INTERVIEW_REPORT_LINK_KEY_FILE: path.join(os.tmpdir(), `mesh-report-link-${randomUUID()}.key`),
    ...TEST_MESH_ENV,
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [serviceVariable(name, 'PORT'), String(ports[name])])),
  };
}

/** Removes the signing keys meshEnv chose (`env.AUTH_KEYS_DIR`, `env.INTERVIEW_REPORT_LINK_KEY_FILE`), once the mesh has stopped. */
export async function removeAuthKeys(env: Readonly<Record<string, string>> | undefined): Promise<void> {
  for (const dir of [env?.AUTH_KEYS_DIR, env?.INTERVIEW_REPORT_LINK_KEY_FILE]) if (dir) await fs.rm(dir, { recursive: true, force: true });
}

/** Starts the mesh on free ports and resolves once every server says SERVING. */
export async function startMeshProcess(extraEnv: Record<string, string> = {}): Promise<MeshProcess> {
  const [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
  const ports = await meshPorts();
  const addresses = Object.fromEntries(SERVICE_NAMES.map((name) => [name, `127.0.0.1:${ports[name]}`])) as Record<string, string>;
  const env = { ...meshEnv(ports, database.value, vhost.value), ...extraEnv };
  const child = ServiceProcess.start(SERVICE_NAMES, env);
  const stop = async () => {
    await child.stop('SIGTERM');
    await Promise.all([database.dispose(), vhost.dispose(), removeAuthKeys(env)]);
  };
  try {
    // Fails as soon as the process exits (a port it could not bind, a bad variable) rather than after the timeout.
    await Promise.all(SERVICE_NAMES.map((name) => child.waitServing(addresses[name], 120_000)));
  } catch (error) {
    console.error(`--- mesh logs ---\n${child.logs()}`);
    await stop();
    throw error;
  }
  return { addresses, env, stop };
}
