import { Server, ServerCredentials, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { BOUNDS } from '../contracts/bounds';
import { Logger } from '../log/logger';
import { HealthState } from './health';
import { createReflectionService } from './reflection';

export interface ServiceRegistration {
  /** Full name, e.g. `emotion.EmotionService`. */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  /** Instance name for logs, e.g. `emotion`. */
  name: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  services: readonly ServiceRegistration[];
  health: HealthState;
  log: Logger;
  /** TLS (TransportSecurity.serverCredentials), or plaintext only with the development switch. */
  credentials: ServerCredentials;
  /** Largest request accepted, bytes (frames are the large ones); BOUNDS.messageBytes by default. */
  maxReceiveMessageBytes?: number;
}

export interface RunningGrpcServer {
  readonly port: number;
  /** `host:port` clients on this machine can dial. */
  readonly address: string;
  /**
   * Stops taking calls (health NOT_SERVING first), lets in-flight calls finish for up to `graceMs`
   * milliseconds, then cancels what is left.
   */
  shutdown(graceMs: number): Promise<void>;
}

/** Starts a gRPC server with health and reflection beside the given services. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({
    // Larger requests end RESOURCE_EXHAUSTED before any handler runs (BOUNDS.messageBytes).
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? BOUNDS.messageBytes,
    // One connection cannot hold more calls than this open at once.
    'grpc.max_concurrent_streams': BOUNDS.concurrentStreamsPerConnection,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_permit_without_calls': 1,
    // Keepalive policy: a client pinging more often than every 10 s gets GOAWAY (ENHANCE_YOUR_CALM),
    // as gRPC's keepalive guide has servers do; the mesh's clients ping every 30 s.
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });
  for (const service of options.services) server.addService(service.definition, service.implementation);
  options.health.addToServer(server);
  createReflectionService(options.services.map((s) => s.name)).addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, options.credentials, (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  const address = `${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`;
  options.log.info({ port }, `${options.name} gRPC server listening`);

  return {
    port,
    address,
    async shutdown(graceMs: number) {
      options.health.markNotServing();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          options.log.warn({ graceMs }, 'in-flight calls outlived the grace period; cancelling them');
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      options.log.info(`${options.name} gRPC server stopped`);
    },
  };
}
