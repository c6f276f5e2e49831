import { ROUTING_KEYS } from '../../platform/bus/event-catalog';
import { defineService, NO_DOWNSTREAMS } from '../../platform/service/descriptor';
import { NOTIFICATION_QUEUE } from './consumers';
import { notifierMigrations } from './migrations';
import { startNotifier } from './server';

/**
 * The notifier: consumes `notification.email` (interview.scored) and records the e-mail to send;
 * its gRPC server carries health and reflection only.
 */
export const notifierService = defineService({
  name: 'notifier',
  defaultPort: 50054,
  migrations: notifierMigrations,
  consumes: [{ queue: NOTIFICATION_QUEUE, bindings: [ROUTING_KEYS.scored], prefetch: 8 }],
  publishes: [],
  consulTags: ['worker', 'grpc'],
  grpcServices: [],
  downstreams: NO_DOWNSTREAMS,
  settings: () => undefined,
  start: startNotifier,
});
