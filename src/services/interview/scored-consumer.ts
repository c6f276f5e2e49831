import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';
import { InterviewStore } from './interview-store';

/** Consumer of `interview.scored`: the interview learns its scores exist (state SCORED). */
export function scoredHandler(deps: { store: InterviewStore; log: Logger }) {
  return async (delivery: Delivery): Promise<void> => {
    const event = decodeEvent(EVENTS.scored, delivery);
    if (await deps.store.markScored(event.sessionId, new Date())) deps.log.info({ sessionId: event.sessionId }, 'interview marked scored');
  };
}
