import { sleep } from '../mesh/stats';

/** An interview the benchmark sends frames to, and the candidate's token that owns it. */
export interface BenchInterview {
  readonly interviewId: string;
  readonly accessToken: string;
}

/**
 * Hands out interviews so that none receives frames faster than one every `spacingMs`: the interview
 * service refuses an interview's frames past LIMIT_FRAMES_PER_INTERVIEW_PER_SECOND (10 in fixed 1 s
 * windows, SendFrame and the gateway's REST post counted together), and the benchmark measures
 * latency, not that limit. Each take() gets the interview free soonest and waits, when needed, until
 * it is free; concurrent takers each get a different slot.
 */
export class InterviewPacer {
  private readonly freeAt: number[];

  constructor(
    private readonly interviews: readonly BenchInterview[],
    private readonly spacingMs: number,
  ) {
    if (interviews.length === 0) throw new Error('InterviewPacer needs at least one interview');
    this.freeAt = interviews.map(() => 0);
  }

  /** Resolves with the next interview, once it may take a frame (immediately when one is free). */
  async take(): Promise<BenchInterview> {
    let soonest = 0;
    for (let i = 1; i < this.freeAt.length; i++) if (this.freeAt[i] < this.freeAt[soonest]) soonest = i;
    const now = Date.now();
    const at = Math.max(now, this.freeAt[soonest]);
    // Booked before waiting: another taker meanwhile gets another interview or the next slot.
    this.freeAt[soonest] = at + this.spacingMs;
    if (at > now) await sleep(at - now);
    return this.interviews[soonest];
  }
}
