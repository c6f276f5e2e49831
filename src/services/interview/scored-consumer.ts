import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { InterviewStore } from './interview-store';
import { InterviewTables } from './interview-tables';

/** Inbox name of this consumer. */
const CONSUMER = 'interview.scored';

/** Consumer of `interview.scored`: the interview learns its scores exist (state SCORED), once per message. */
export function scoredHandler(deps: { store: InterviewStore; outbox: Outbox<InterviewTables>; log: Logger }) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.scored, delivery);
    await processOnce(deps.outbox, CONSUMER, delivery, async (trx) => {
      if (await deps.store.markScored(trx, event.sessionId, new Date())) deps.log.info({ sessionId: event.sessionId }, 'interview marked scored');
    });
  };
}
