import { QUEUES } from '../../platform/bus/topology';
import { RunningService, ServiceDependencies } from '../../platform/service';
import { createOutbox, hostService } from '../../platform/service-host';
import { scoredHandler } from './consumers';
import { NotifierTables } from './notification-store';

/** The notifier: consumes `notification.email`; its gRPC server carries health and reflection only. */
export async function startNotifierService(deps: ServiceDependencies, port = deps.config.ports.notifier): Promise<RunningService> {
  // The relay publishes nothing yet; it keeps the inbox trimmed.
  const outbox = createOutbox(deps, 'notifier', deps.db.forService<NotifierTables>('notifier'));
  return hostService(deps, {
    name: 'notifier',
    port,
    services: [],
    consumers: [{ queue: QUEUES.notificationEmail, handler: scoredHandler({ outbox, log: deps.log.child({ service: 'notifier' }) }), prefetch: 8 }],
    outbox,
  });
}
