/** The most characters of a caller's input an error message or a log line repeats. */
export const EXCERPT_CHARS = 40;

/**
 * `text` as an error message may repeat it: whole when short, else its first EXCERPT_CHARS
 * characters and how long it was (`abc… (1234 characters)`), so that a message never echoes a
 * whole input back, nor carries a secret someone pasted into the wrong field in full.
 */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
