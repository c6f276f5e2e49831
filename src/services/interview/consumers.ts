import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { processOnce } from '../../platform/messaging/inbox';
import { Outbox } from '../../platform/messaging/outbox';
import { InterviewStore, InterviewTables } from './store';

/** The interview service's queue of interview.scored, and its consumer's inbox name. */
export const SCORED_QUEUE = 'interview.scored';

/** Consumer of `interview.scored`: the interview learns its scores exist (state SCORED), once per message. */
export function scoredHandler(deps: { store: InterviewStore; outbox: Outbox<InterviewTables>; log: Logger }) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.scored, delivery);
    await processOnce(deps.outbox, SCORED_QUEUE, delivery, async (trx) => {
      if (await deps.store.markScored(trx, event.sessionId, new Date())) deps.log.info({ sessionId: event.sessionId }, 'interview marked scored');
    });
  };
}
