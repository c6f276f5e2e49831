import { Logger } from '../../platform/log/logger';
import { applyEyeSample, BlinkState, BlinkSummary, isTrackableFrame, summarizeBlinks } from './domain/blink/blink-tracker';
import { EyeAspectRatio } from './domain/blink/eye-aspect-ratio';
import { BlinkCounter } from './blink-counter';
import { EmotionStore } from './store';

/** Sessions one stream keeps in memory at most; the least recently counted is dropped past it (an interview's stream carries one). */
const MAX_STREAM_SESSIONS = 64;

interface TrackedSession {
  /** The session's state as this stream counted it: the database's after its first frame here, then each sample applied in memory. */
  state: BlinkState | undefined;
  /** False once the database may lack one of this stream's samples: the next frame reads and writes it synchronously again. */
  inStep: boolean;
  /** The session's writes, in order: each starts when the previous ended. */
  writes: Promise<void>;
}

/**
 * AnalyzeStream's blink counting: a stream carries one session's frames in order, on one replica,
 * so the session's state is kept in memory for the stream's life and each frame is answered from
 * it (blink-tracker.ts's applyEyeSample, the function the database's statement mirrors), while the
 * same sample is written behind to the session's row in PostgreSQL (EmotionStore.recordBlinkState,
 * one statement, in frame order). A frame no longer waits for the database: 1.5 ms of
 * AnalyzeStream's 9 at 2 frames a second (`npm run bench:emotion`).
 * The database stays the session's truth for every replica: a session's first frame on the stream
 * is counted there synchronously, and so is the next frame after a write failed (that write's
 * sample is then missing from the row: logged). Frames of the same session counted meanwhile on
 * another replica (a unary call, the queue's late frames) reach the row but not this stream's
 * memory. `settled` waits for the writes; the stream's end awaits it, so the row is complete when a
 * stream ends.
 */
export class StreamBlinks implements BlinkCounter {
  private readonly sessions = new Map<string, TrackedSession>();
  /** Writes not yet ended, of every session (those dropped from `sessions` too). */
  private readonly unsettled = new Set<Promise<void>>();

  constructor(
    private readonly store: EmotionStore,
    private readonly log: Logger,
  ) {}

  async update(sessionId: string, timestampMs: number, eyes: EyeAspectRatio | undefined): Promise<BlinkSummary | undefined> {
    if (!isTrackableFrame(sessionId, timestampMs)) return undefined;
    const session = this.sessionOf(sessionId);
    if (!session.inStep) {
      // The database's state first: this stream's first frame of the session, or after a failed write.
      await session.writes;
      session.state = eyes ? await this.store.recordBlinkState(sessionId, { timestampMs, ear: eyes.mean }) : await this.store.currentBlinkState(sessionId);
      session.inStep = true;
      return session.state && summarizeBlinks(session.state);
    }
    if (!eyes) return session.state && summarizeBlinks(session.state);
    const sample = { timestampMs, ear: eyes.mean };
    const { state, applied } = applyEyeSample(session.state, sample);
    session.state = state;
    if (applied) {
      const write = session.writes.then(() =>
        this.store.recordBlinkState(sessionId, sample).then(
          () => undefined,
          (error: unknown) => {
            session.inStep = false;
            this.log.warn({ err: error, sessionId, timestampMs }, 'blink sample not written: the next frame is counted in the database again');
          },
        ),
      );
      session.writes = write;
      this.unsettled.add(write);
      void write.finally(() => this.unsettled.delete(write));
    }
    return summarizeBlinks(state);
  }

  /** Resolves once every write begun so far has ended (written or failed: failures are logged). */
  async settled(): Promise<void> {
    await Promise.all(this.unsettled);
  }

  private sessionOf(sessionId: string): TrackedSession {
    let session = this.sessions.get(sessionId);
    if (session) {
      // Most recently counted last, so the first is the one to drop.
      this.sessions.delete(sessionId);
    } else {
      session = { state: undefined, inStep: false, writes: Promise.resolve() };
      const oldest = this.sessions.keys().next();
      if (this.sessions.size >= MAX_STREAM_SESSIONS && !oldest.done) this.sessions.delete(oldest.value);
    }
    this.sessions.set(sessionId, session);
    return session;
  }
}
