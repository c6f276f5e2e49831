import { HealthImplementation, ServingStatus } from 'grpc-health-check';
import { Server } from '@grpc/grpc-js';

/**
 * The grpc.health.v1 status of one server (grpc-health-check's implementation, with Watch).
 * It starts NOT_SERVING for every name and says SERVING only when the service calls `markServing`
 * after its models, database and broker are ready; `markNotServing` on shutdown or when one of them
 * is lost. The empty name "" is the whole server, as the health-checking protocol defines. Other
 * names given to `set` (dependency entries) follow the server: NOT_SERVING while it is not serving,
 * and the status last set for them while it is.
 */
export class HealthState {
  private readonly implementation: HealthImplementation;
  private readonly statuses = new Map<string, ServingStatus>();
  /** The status last set for each name beyond "" and the services': markServing restores it. */
  private readonly wanted = new Map<string, ServingStatus>();
  private serving = false;

  constructor(private readonly serviceNames: readonly string[]) {
    for (const name of ['', ...serviceNames]) this.statuses.set(name, 'NOT_SERVING');
    this.implementation = new HealthImplementation(Object.fromEntries(this.statuses));
  }

  addToServer(server: Server): void {
    this.implementation.addToServer(server);
  }

  markServing(): void {
    this.serving = true;
    for (const name of ['', ...this.serviceNames]) this.apply(name, 'SERVING');
    for (const [name, value] of this.wanted) this.apply(name, value);
  }

  markNotServing(): void {
    this.serving = false;
    for (const name of this.statuses.keys()) this.apply(name, 'NOT_SERVING');
  }

  /**
   * Sets one name's status, e.g. a dependency entry such as `interview.dependency.emotion`. Such a
   * name reads NOT_SERVING while the server is not serving; `value` takes effect at markServing.
   */
  set(name: string, value: ServingStatus): void {
    if (name === '' || this.serviceNames.includes(name)) {
      this.apply(name, value);
      return;
    }
    this.wanted.set(name, value);
    this.apply(name, this.serving ? value : 'NOT_SERVING');
  }

  get(name = ''): ServingStatus | undefined {
    return this.statuses.get(name);
  }

  private apply(name: string, value: ServingStatus): void {
    // Watchers are told of changes only (the implementation would repeat an unchanged status).
    if (this.statuses.get(name) === value) return;
    this.statuses.set(name, value);
    this.implementation.setStatus(name, value);
  }
}
