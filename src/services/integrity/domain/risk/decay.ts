/**
 * The risk's arithmetic: exponential decay with a half-life, and the combination of a new event's
 * weight as an independent probability.
 */

/**
 * `risk` after `elapsedMs` of frame time: risk · 2^(-elapsed / halfLife) (exponential decay with a
 * half-life). A negative elapsed time (a frame older than the risk's) decays nothing: the risk never
 * rises by going back in time.
 */
export function decayed(risk: number, elapsedMs: number, halfLifeSeconds: number): number {
  if (!(elapsedMs > 0)) return risk;
  return risk * Math.pow(2, -elapsedMs / (halfLifeSeconds * 1000));
}

/**
 * `risk` with an event of `weight` added: 1 - (1 - risk)(1 - weight), the probability that either of
 * two independent signals is right (a noisy-OR). Stays in 0..1 for inputs in 0..1 and never falls.
 * Computed as risk + weight(1 - risk), which is exact for a first event (0 + w = w).
 */
export function combined(risk: number, weight: number): number {
  return Math.min(1, Math.max(risk, risk + weight * (1 - risk)));
}
