import type { EmotionUpdate } from '../api/types';

/** Spontaneous blink rate in conversation, blinks a minute (Doughty 2001, Optometry and Vision Science 78(10)). */
const CONVERSATIONAL = { low: 10.5, high: 32.5 } as const;

/** The blink figures of the latest emotion update that had them (the server measured blinks for its frame). */
export type MeasuredBlinks = Pick<EmotionUpdate, 'blink_count' | 'blink_rate_per_minute' | 'blink_rate_window_seconds'>;

/** Whether `update` carries measured blinks: a queued frame, or one before the interview's first face, does not. */
export function hasBlinks(update: EmotionUpdate): boolean {
  return typeof update.blink_count === 'number';
}

/**
 * The live feedback's blink lines, as <dt>/<dd> pairs for its <dl>: the interview's blinks so far,
 * and the rate over the server's window once it has one (the server gives none for the first 15 s
 * of a connection), read against the conversational range. Nothing invented: unmeasured says so.
 */
export function BlinkFeedback({ blinks }: { blinks: MeasuredBlinks | undefined }) {
  const count = blinks?.blink_count;
  const rate = blinks?.blink_rate_per_minute;
  const windowSeconds = blinks?.blink_rate_window_seconds;
  let rateText = 'not measured yet (no face seen yet)';
  if (typeof count === 'number') rateText = 'measuring… (needs 15 s of your face)';
  if (typeof rate === 'number') {
    const range = rate < CONVERSATIONAL.low ? 'below' : rate > CONVERSATIONAL.high ? 'above' : 'within';
    rateText = `${rate.toFixed(1)} a minute over the last ${Math.round(windowSeconds ?? 0)} s (${range} the usual ${CONVERSATIONAL.low}–${CONVERSATIONAL.high} in conversation)`;
  }
  return (
    <>
      <dt>Blinks</dt>
      <dd data-testid="blink-count">{typeof count === 'number' ? `${count} so far` : '—'}</dd>
      <dt>Blink rate</dt>
      <dd data-testid="blink-rate">{rateText}</dd>
    </>
  );
}
