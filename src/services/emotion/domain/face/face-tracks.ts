import { FaceTrack } from './face-track';

/**
 * Each session's latest FaceTrack, in this replica's memory: tracking only saves the detector, so a
 * session whose frames land on another replica, or whose entry was evicted or expired, is simply
 * detected again. Bounded (least recently used sessions go first) and expiring.
 */
export class FaceTracks {
  private readonly entries = new Map<string, { track: FaceTrack; expiresAt: number }>();

  /**
   * @param maxSessions sessions kept at most
   * @param ttlMs milliseconds after its latest frame a session's track is forgotten
   * @param now clock, milliseconds
   */
  constructor(
    private readonly maxSessions = 10_000,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(sessionId: string): FaceTrack | undefined {
    const entry = this.entries.get(sessionId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(sessionId);
      return undefined;
    }
    return entry.track;
  }

  /** Keeps `track` for the session's next frame; undefined (no face) forgets the session. */
  set(sessionId: string, track: FaceTrack | undefined): void {
    this.entries.delete(sessionId); // re-inserted last: Map order is least recently used first
    if (!track) return;
    this.entries.set(sessionId, { track, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > this.maxSessions) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
