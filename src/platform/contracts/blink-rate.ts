/**
 * The blink rate's terms, shared by the report's rate (scoring) and the live one StreamInterview
 * sends (interview), so that the page's figure and the report's are read the same way. Both count
 * the emotion service's blinks (eye aspect ratio over consecutive frames, Soukupova and Cech 2016)
 * and read them against the spontaneous blink rate in conversation, 10.5 to 32.5 a minute (Doughty
 * 2001, "Consideration of three types of spontaneous eyeblink activity in normal humans",
 * Optometry and Vision Science 78(10)).
 */

/** Spontaneous blink rate in conversation, blinks a minute (Doughty 2001). */
export const CONVERSATIONAL_BLINK_RATE = { low: 10.5, high: 32.5 } as const;
/** Length of a window of the rate, milliseconds. */
export const BLINK_WINDOW_MS = 60_000;
/** Shortest span a rate is given for, milliseconds: over less, one blink more or less swings it by 4 a minute or more. */
export const MIN_RATE_SPAN_MS = 15_000;

/** `blinks` over `ms` milliseconds as blinks a minute, one decimal. */
export function blinksPerMinute(blinks: number, ms: number): number {
  return Math.round((blinks / (ms / 60_000)) * 10) / 10;
}
