import { NoDownstreams, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { NOTIFICATION_QUEUE, scoredHandler } from './consumers';
import { NotifierStore, NotifierTables } from './store';

/** The notifier's wiring: no gRPC service beyond health and reflection, one consumer. */
export function startNotifier(context: ServiceContext<undefined, NoDownstreams, undefined>): ServiceParts {
  const handler = scoredHandler({ store: new NotifierStore(), outbox: context.outbox<NotifierTables>(), log: context.log });
  return { grpc: [], consumers: { [NOTIFICATION_QUEUE]: handler } };
}
