import { Delivery } from '../../platform/bus/event-bus';
import { decodeEvent, EVENTS } from '../../platform/bus/event-catalog';
import { Logger } from '../../platform/log/logger';

/** The integrity service's queue of interview.frame.captured, and its consumer's name. */
export const FRAMES_QUEUE = 'integrity.frames';

/** Consumer of `integrity.frames`: acks every frame unanalysed until the pipeline and the risk engine are wired (issue 16). */
export function framesHandler(deps: { log: Logger }) {
  return (delivery: Delivery): Promise<void> => {
    const frame = decodeEvent(EVENTS.frameCaptured, delivery);
    deps.log.debug({ sessionId: frame.sessionId, frame: frame.frameNumber }, 'frame not analysed: the integrity pipeline is not wired yet');
    return Promise.resolve();
  };
}
