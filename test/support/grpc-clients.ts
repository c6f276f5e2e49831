import net from 'node:net';
import {
  CallOptions,
  ChannelCredentials,
  ChannelOptions,
  ClientDuplexStream,
  ClientReadableStream,
  ClientUnaryCall,
  loadPackageDefinition,
  Metadata,
  ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import path from 'node:path';
import { TEST_CHANNEL_OPTIONS, testCredentials } from './tls';
import { waitFor } from './wait';

/**
 * The ports freePort hands out: below Linux's ephemeral range (net.ipv4.ip_local_port_range,
 * 32768-60999 by default), which the kernel draws from for `listen(0)` and for every outgoing
 * connection. A port chosen there by `listen(0)` is free only until the next connect() of any
 * process takes it as its local port, which happened in CI: a mesh started on such ports could not
 * bind one. Ports below the range are taken only by an explicit bind. It starts above RabbitMQ's
 * distribution ports (its AMQP port + 20000: 25672, and the fault suite's node, 25682), which a
 * node restarted by a test must find free.
 */
const PORT_RANGE = { first: 26_000, last: 32_767 } as const;
/** Jest runs test files in parallel workers (JEST_WORKER_ID 1, 2, ...): each hands out its own slice of PORT_RANGE. */
const WORKER_SLICES = 16;
const sliceSize = Math.floor((PORT_RANGE.last - PORT_RANGE.first + 1) / WORKER_SLICES);
const slice = (Number(process.env.JEST_WORKER_ID ?? '0') % WORKER_SLICES) * sliceSize + PORT_RANGE.first;
/** The next port to try, from a random point of this worker's slice (processes that are not jest workers share slice 0). */
let nextOffset = Math.floor(Math.random() * sliceSize);

/** True once `port` accepted a listener on 127.0.0.1 (closed again before resolving). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/**
 * A free TCP port on 127.0.0.1, closed again before returning, for a process to bind next: taken in
 * turn from this jest worker's slice of PORT_RANGE, so that neither another worker nor an outgoing
 * connection is handed the same port meanwhile. Throws when the whole slice is in use.
 */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < sliceSize; tried++) {
    const port = slice + (nextOffset++ % sliceSize);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${slice}..${slice + sliceSize - 1}`);
}

type Callback<T> = (error: ServiceError | null, value: T) => void;

/** grpc.health.v1 as these helpers use it (proto-loader with `enums: String`: the status is its name). */
interface HealthRequest {
  service: string;
}
interface HealthResponse {
  status: string;
}
interface HealthClient {
  check(request: HealthRequest, metadata: Metadata, options: Partial<CallOptions>, callback: Callback<HealthResponse>): ClientUnaryCall;
  watch(request: HealthRequest): ClientReadableStream<HealthResponse>;
  close(): void;
}
interface HealthPackage {
  grpc: { health: { v1: { Health: new (address: string, credentials: ChannelCredentials, options?: ChannelOptions) => HealthClient } } };
}

/** grpc.reflection.v1 as these helpers use it (only the list_services request and its response). */
interface ReflectionRequest {
  list_services: string;
}
interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
}
interface ReflectionClient {
  ServerReflectionInfo(options: Partial<CallOptions>): ClientDuplexStream<ReflectionRequest, ReflectionResponse>;
  close(): void;
}
interface ReflectionPackage {
  grpc: { reflection: { v1: { ServerReflection: new (address: string, credentials: ChannelCredentials, options?: ChannelOptions) => ReflectionClient } } };
}

// loadPackageDefinition types its result as a generic GrpcObject; these are the services the protos define.
const healthPackage = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String })) as unknown as HealthPackage;
const reflectionProto = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');
const reflectionPackage = loadPackageDefinition(loadSync(reflectionProto, { keepCase: true })) as unknown as ReflectionPackage;

/** grpc.health.v1.Health/Check of `service` ("" for the whole server): SERVING, NOT_SERVING, … */
export async function checkHealth(address: string, service = ''): Promise<string> {
  const client = new healthPackage.grpc.health.v1.Health(address, testCredentials(), TEST_CHANNEL_OPTIONS);
  try {
    return await new Promise<string>((resolve, reject) => {
      client.check({ service }, new Metadata(), { deadline: Date.now() + 2_000 }, (error, response) => {
        if (error) reject(error);
        else resolve(response.status);
      });
    });
  } finally {
    client.close();
  }
}

/** Watches health; returns the statuses seen and a stop function. */
export function watchHealth(address: string, service = ''): { statuses: string[]; stop: () => void; ended: Promise<void> } {
  const client = new healthPackage.grpc.health.v1.Health(address, testCredentials(), TEST_CHANNEL_OPTIONS);
  const call = client.watch({ service });
  const statuses: string[] = [];
  call.on('data', (response: HealthResponse) => {
    statuses.push(response.status);
  });
  const ended = new Promise<void>((resolve) => {
    call.on('error', () => {
      resolve();
    });
    call.on('end', () => {
      resolve();
    });
  });
  return {
    statuses,
    ended,
    stop: () => {
      call.cancel();
      client.close();
    },
  };
}

/** Polls health until it says `status`; rejects after `timeoutMs` milliseconds. */
export async function waitForHealth(address: string, status: string, timeoutMs = 60_000, service = ''): Promise<void> {
  let last = '';
  await waitFor(
    `${address} health "${service}" ${status}`,
    async () => (last = await checkHealth(address, service).catch((error: unknown) => (error as Error).message)) === status,
    timeoutMs,
    200,
  ).catch(() => {
    throw new Error(`${address} health "${service}" is ${last}, not ${status}, after ${timeoutMs} ms`);
  });
}

/** The services a server lists through reflection (grpc.reflection.v1). */
export async function listServicesByReflection(address: string): Promise<string[]> {
  const client = new reflectionPackage.grpc.reflection.v1.ServerReflection(address, testCredentials(), TEST_CHANNEL_OPTIONS);
  try {
    return await new Promise<string[]>((resolve, reject) => {
      const call = client.ServerReflectionInfo({ deadline: Date.now() + 5_000 });
      call.on('data', (response: ReflectionResponse) => {
        resolve((response.list_services_response?.service ?? []).map((s) => s.name).sort());
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '*' });
    });
  } finally {
    client.close();
  }
}
