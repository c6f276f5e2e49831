import { Delivery, UnprocessableMessageError } from './event-bus';
import { RoutingKey } from './topology';

/** The prefix of the services' broker users when AMQP_USER_PREFIX is unset: `mesh-interview`, `mesh-scoring`, … */
export const DEFAULT_BROKER_USER_PREFIX = 'mesh-';

/**
 * The RabbitMQ user of `service`: `<prefix><service>`. Every process derives every service's user
 * the same way, which is how a consumer knows whose `user-id` an event must carry.
 */
export function brokerUser(service: string, prefix: string): string {
  return `${prefix}${service}`;
}

/** What EventOwners needs of a service: its name and the routing keys it publishes. */
export interface EventPublisher {
  readonly name: string;
  readonly publishes: readonly RoutingKey[];
}

/**
 * An event whose publisher is not the service that owns its routing key (or that names no
 * publisher): parked in its queue's dead letters at once, never handled.
 */
export class ForgedEventError extends UnprocessableMessageError {}

/**
 * Which broker user may publish each routing key: the user of the one service that declares it in
 * `publishes`. RabbitMQ validates the AMQP `user-id` property against the publishing connection's
 * user (RabbitMQ docs, "Validated User-ID"), so a consumer that checks it against this table knows
 * the event came from the service that owns it, whatever the broker's permissions let through.
 */
export class EventOwners {
  private constructor(private readonly owners: ReadonlyMap<RoutingKey, string>) {}

  /** Throws when two services declare the same routing key: an event has one owner. */
  static of(services: readonly EventPublisher[], userPrefix: string): EventOwners {
    const owners = new Map<RoutingKey, string>();
    const byService = new Map<RoutingKey, string>();
    for (const { name, publishes } of services) {
      for (const routingKey of publishes) {
        const other = byService.get(routingKey);
        if (other !== undefined) throw new Error(`routing key ${routingKey} is published by both ${other} and ${name}`);
        byService.set(routingKey, name);
        owners.set(routingKey, brokerUser(name, userPrefix));
      }
    }
    return new EventOwners(owners);
  }

  /** The broker user that owns `routingKey`, undefined when no service publishes it. */
  ownerOf(routingKey: RoutingKey): string | undefined {
    return this.owners.get(routingKey);
  }

  /** The routing keys `user` may publish. */
  keysOf(user: string): RoutingKey[] {
    return [...this.owners].filter(([, owner]) => owner === user).map(([key]) => key);
  }

  /**
   * Lets `delivery` through to its handler when its publisher owns its routing key; otherwise tells
   * `onForged` (metrics) and throws ForgedEventError, which parks it unhandled.
   */
  admit(delivery: Delivery, onForged?: (delivery: Delivery) => void): void {
    try {
      this.verify(delivery.routingKey, delivery.publisher);
    } catch (error) {
      onForged?.(delivery);
      throw error;
    }
  }

  /**
   * Throws ForgedEventError unless `publisher` (the event's validated user-id, '' when it carried
   * none) is the owner of `routingKey`.
   */
  verify(routingKey: RoutingKey, publisher: string): void {
    const owner = this.ownerOf(routingKey);
    if (owner === undefined) throw new ForgedEventError(`no service of the mesh publishes ${routingKey} (publisher: ${publisher || 'none'})`);
    if (publisher !== owner) {
      throw new ForgedEventError(`${routingKey} must come from ${owner}, its owner; this one came from ${publisher || 'a publisher that set no user-id'}`);
    }
  }
}
