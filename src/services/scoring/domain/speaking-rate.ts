/**
 * Speaking rate (words per minute) and its score against a conversational band.
 *
 * The band 120–160 wpm is the commonly cited range for clear conversational/presentation English
 * (the National Center for Voice and Speech gives ~150 wpm as the average conversational rate of
 * US English speakers). The zero points 60 and 240 wpm (half and one and a half times the band
 * edges) are our choice.
 */
import { bandScore } from './numeric';

/** Speaking-rate band in words per minute: score 1 within [low, high], 0 at or beyond the zero points. */
export const SPEAKING_RATE_BAND = { zeroBelow: 60, low: 120, high: 160, zeroAbove: 240 } as const;

/**
 * Words per minute = words / (durationSeconds / 60); null when it cannot be measured
 * (no words, or a duration ≤ 0 / not finite).
 */
export function wordsPerMinute(words: number, durationSeconds: number): number | null {
  if (words <= 0 || !Number.isFinite(durationSeconds) || durationSeconds <= 0) return null;
  return words / (durationSeconds / 60);
}

/**
 * Speaking-rate component, 0..1: 1 inside {@link SPEAKING_RATE_BAND} (120–160 wpm), falling linearly
 * to 0 at 60 wpm and at 240 wpm.
 */
export function speakingRateScore(wpm: number): number {
  return bandScore(wpm, SPEAKING_RATE_BAND);
}

/** Where a rate lies relative to the band. */
export type RateBandPosition = 'slow' | 'within' | 'fast';

/** Position of `wpm` relative to the 120–160 wpm band. */
export function rateBandPosition(wpm: number): RateBandPosition {
  if (wpm < SPEAKING_RATE_BAND.low) return 'slow';
  if (wpm > SPEAKING_RATE_BAND.high) return 'fast';
  return 'within';
}
