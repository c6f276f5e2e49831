import { DatabaseHandle } from './db/database';
import { EventBus } from './bus/event-bus';
import { MeshConfig, ServiceName } from './config/mesh-config';
import { HealthState } from './grpc/health';
import { RunningGrpcServer } from './grpc/server';
import { Logger } from './log/logger';

/** What the composition root hands every service: built once per process, passed in. */
export interface ServiceDependencies {
  readonly config: MeshConfig;
  readonly log: Logger;
  readonly db: DatabaseHandle;
  readonly bus: EventBus;
}

/** A started service: its gRPC server and health, and how to stop it. */
export interface RunningService {
  readonly name: ServiceName;
  readonly server: RunningGrpcServer;
  readonly health: HealthState;
  /**
   * Graceful stop: health NOT_SERVING, consumers stop taking messages and finish the ones in hand,
   * the server finishes in-flight calls within `graceMs` milliseconds, then resources are released.
   */
  stop(graceMs: number): Promise<void>;
}
