import { HealthImplementation, ServingStatus } from 'grpc-health-check';
import { Server } from '@grpc/grpc-js';

/**
 * The grpc.health.v1 status of one server (grpc-health-check's implementation, with Watch).
 * It starts NOT_SERVING for every name and says SERVING only when the service calls `markServing`
 * after its models, database and broker are ready; `markNotServing` on shutdown. The empty name ""
 * is the whole server, as the health-checking protocol defines.
 */
export class HealthState {
  private readonly implementation: HealthImplementation;
  private readonly statuses = new Map<string, ServingStatus>();

  constructor(private readonly serviceNames: readonly string[]) {
    for (const name of ['', ...serviceNames]) this.statuses.set(name, 'NOT_SERVING');
    this.implementation = new HealthImplementation(Object.fromEntries(this.statuses));
  }

  addToServer(server: Server): void {
    this.implementation.addToServer(server);
  }

  markServing(): void {
    for (const name of ['', ...this.serviceNames]) this.set(name, 'SERVING');
  }

  markNotServing(): void {
    for (const name of this.statuses.keys()) this.set(name, 'NOT_SERVING');
  }

  /** Sets one name's status, e.g. a dependency entry such as `interview.dependency.emotion`. */
  set(name: string, value: ServingStatus): void {
    // Watchers are told of changes only (the implementation would repeat an unchanged status).
    if (this.statuses.get(name) === value) return;
    this.statuses.set(name, value);
    this.implementation.setStatus(name, value);
  }

  get(name = ''): ServingStatus | undefined {
    return this.statuses.get(name);
  }
}
