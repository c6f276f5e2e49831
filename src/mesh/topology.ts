import { ROUTING_KEYS } from '../platform/bus/event-catalog';
import { Topology } from '../platform/bus/topology';
import { AnyServiceDescriptor } from '../platform/service/descriptor';

/**
 * Queues of seed 002 section 6 (docs/seeds.md) that no service consumes yet, declared so that their events are
 * kept for the consumer to come rather than dropped by the exchange.
 */
const AWAITING_CONSUMERS: Topology = {
  // Video processing: no RPC uploads video yet.
  'video.processing': [ROUTING_KEYS.videoUploaded],
};

/** Every queue of the registered services with its bindings, plus those awaiting a consumer. */
export function meshTopology(services: readonly AnyServiceDescriptor[]): Topology {
  const topology: Record<string, readonly string[]> = { ...AWAITING_CONSUMERS };
  for (const service of services) {
    for (const { queue, bindings } of service.consumes) {
      // `in`, which answers as the lookup would (every value is an array), where the record's type has no missing key.
      if (queue in topology) throw new Error(`queue ${queue} is declared twice (by ${service.name} and another)`);
      topology[queue] = bindings;
    }
  }
  return Object.freeze(topology);
}

/** The queues `service` consumes with their bindings: what its own broker user declares. */
export function serviceTopology(service: AnyServiceDescriptor): Topology {
  return Object.freeze(Object.fromEntries(service.consumes.map(({ queue, bindings }) => [queue, bindings])));
}
