/**
 * The blink figures of StreamInterview's emotion updates: the interview's count as the emotion
 * service gave it for the frame, and the stream's rate over its last 60 s of tracked frames (at
 * least 15 s of them), both unset when a frame's blinks were not tracked (queued, or no face yet in
 * the interview) — never 0 for "unknown". LiveBlinkRate alone, then streamInterview itself with a
 * fake Interviews whose sendFrame answers scripted analyses.
 */
import { Metadata } from '@grpc/grpc-js';
import { EmotionResponse } from '../../../src/gen/emotion';
import { EmotionUpdate, StreamInterviewRequest } from '../../../src/gen/interview';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { setPrincipal } from '../../../src/platform/identity/principal';
import { RateLimit } from '../../../src/platform/limits/rate-limit';
import { silentLogger } from '../../../src/platform/log/logger';
import { SessionRecord } from '../../../src/services/interview/domain/interview';
import { LiveBlinkRate } from '../../../src/services/interview/domain/live-blink-rate';
import { FrameOutcome, Interviews } from '../../../src/services/interview/interviews';
import { streamInterview } from '../../../src/services/interview/interview-stream';
import { HandlerLimits } from '../../../src/services/interview/limits';

const T0 = 1_764_460_800_000;

describe('LiveBlinkRate', () => {
  it('gives the count at once, and a rate only once the tracked frames span 15 s', () => {
    const rate = new LiveBlinkRate();
    expect(rate.update(T0, 0)).toEqual({ blinkCount: 0, blinkRatePerMinute: undefined, blinkRateWindowSeconds: undefined });
    expect(rate.update(T0 + 14_999, 3)).toEqual({ blinkCount: 3, blinkRatePerMinute: undefined, blinkRateWindowSeconds: undefined });
    // 5 blinks in 20 s: 15 a minute.
    expect(rate.update(T0 + 20_000, 5)).toEqual({ blinkCount: 5, blinkRatePerMinute: 15, blinkRateWindowSeconds: 20 });
  });

  it('looks back 60 s at most: blinks before the window no longer count', () => {
    const rate = new LiveBlinkRate();
    rate.update(T0, 0);
    rate.update(T0 + 30_000, 20);
    // 30 blinks over the full 60 s.
    expect(rate.update(T0 + 60_000, 30)).toEqual({ blinkCount: 30, blinkRatePerMinute: 30, blinkRateWindowSeconds: 60 });
    // T0 left the window: from the frame at 30 s (count 20) to 90 s (count 32), 12 in 60 s.
    expect(rate.update(T0 + 90_000, 32)).toEqual({ blinkCount: 32, blinkRatePerMinute: 12, blinkRateWindowSeconds: 60 });
  });

  it('answers an untracked frame with nothing, and keeps its window for the next tracked one', () => {
    const rate = new LiveBlinkRate();
    rate.update(T0, 2);
    expect(rate.update(T0 + 10_000, undefined)).toEqual({ blinkCount: undefined, blinkRatePerMinute: undefined, blinkRateWindowSeconds: undefined });
    expect(rate.update(T0 + 30_000, 6)).toEqual({ blinkCount: 6, blinkRatePerMinute: 8, blinkRateWindowSeconds: 30 });
  });

  it('does not add a late frame to the window, but gives its count and the rate as it stands', () => {
    const rate = new LiveBlinkRate();
    rate.update(T0, 0);
    rate.update(T0 + 30_000, 4);
    expect(rate.update(T0 + 20_000, 4)).toEqual({ blinkCount: 4, blinkRatePerMinute: 8, blinkRateWindowSeconds: 30 });
    expect(rate.update(T0 + 60_000, 6)).toEqual({ blinkCount: 6, blinkRatePerMinute: 6, blinkRateWindowSeconds: 60 });
  });
});

const SESSION = '3f0e9d6c-2b1a-4c5d-8e7f-9a0b1c2d3e4f';
const CANDIDATE = '7d1c3e1a-9a53-4a54-8a38-0d7f3f0b9c11';

const free = (name: string): RateLimit => ({
  spec: { name, max: Number.MAX_SAFE_INTEGER, windowSeconds: 1, unit: 'calls' },
  take: () => Promise.resolve(),
  giveBack: () => Promise.resolve(),
});
const NO_LIMITS: HandlerLimits = { frames: free('frames'), interviews: free('interviews'), streams: free('streams') };

const SESSION_RECORD: SessionRecord = {
  id: SESSION,
  candidateId: CANDIDATE,
  status: 'in_progress',
  startedAt: new Date(T0),
  completedAt: null,
  failureReason: null,
  framesReceived: 0,
  questions: [{ id: 'q1', text: 'Tell me about yourself', category: 'introduction', difficulty: 'easy', expectedDurationSeconds: 60 }],
  answeredQuestionIds: [],
};

/** An analysis as the emotion service answers it; `blinks` undefined leaves blink_metrics unset (untracked). */
function analysis(face: boolean, blinks: number | undefined): EmotionResponse {
  return EmotionResponse.fromPartial({
    sessionId: SESSION,
    emotion: face ? 'neutral' : '',
    confidence: face ? 0.8 : 0,
    faceMetrics: { detected: face, detectionConfidence: face ? 0.9 : 0 },
    // The emotion service's own rate (since the session's first face) is not what the update carries.
    blinkMetrics: blinks === undefined ? undefined : { count: blinks, rate: 99, avgDuration: 150, eyeAspectRatio: 0.3 },
  });
}

/** Interviews whose sendFrame answers `outcomes` in order (undefined: the frame was queued). */
function scripted(outcomes: (EmotionResponse | undefined)[]): Interviews {
  let frameNumber = 0;
  return {
    get: () => Promise.resolve(SESSION_RECORD),
    sendFrame: (): Promise<FrameOutcome> => Promise.resolve({ frameNumber: ++frameNumber, analysis: outcomes[frameNumber - 1] }),
  } as unknown as Interviews;
}

function context(): CallContext {
  const ctx: CallContext = {
    method: '/interview.v1.InterviewService/StreamInterview',
    metadata: new Metadata(),
    deadline: undefined,
    signal: new AbortController().signal,
    peer: 'ipv4:127.0.0.1:50000',
    caller: undefined,
    log: silentLogger(),
  };
  setPrincipal(ctx, { subject: CANDIDATE, role: 'candidate' });
  return ctx;
}

async function* frames(timestamps: number[]): AsyncIterable<StreamInterviewRequest> {
  for (const timestampMs of timestamps) {
    // A client's messages arrive one at a time.
    await Promise.resolve();
    yield StreamInterviewRequest.fromPartial({ interviewId: SESSION, frame: { imageData: Buffer.from([0xff, 0xd8, 0xff]), format: 'jpeg', timestampMs } });
  }
}

async function updates(interviews: Interviews, timestamps: number[]): Promise<EmotionUpdate[]> {
  const out: EmotionUpdate[] = [];
  for await (const r of streamInterview(interviews, NO_LIMITS, frames(timestamps), context())) {
    if (r.emotionUpdate) out.push(r.emotionUpdate);
  }
  return out;
}

describe("StreamInterview's emotion updates", () => {
  it('carry the emotion service count and the 60 s rate, and leave both unset for frames whose blinks were not tracked', async () => {
    const interviews = scripted([
      analysis(false, undefined), // no face yet in the interview: nothing tracked
      analysis(true, 0),
      undefined, // queued: not analysed, so no blinks either
      analysis(false, 2), // no face now, but the interview's count so far
      analysis(true, 4),
    ]);
    const got = await updates(interviews, [T0, T0 + 1_000, T0 + 5_000, T0 + 10_000, T0 + 31_000]);
    const blinks = got.map((u) => ({ count: u.blinkCount, rate: u.blinkRatePerMinute, window: u.blinkRateWindowSeconds }));
    expect(blinks).toEqual([
      { count: undefined, rate: undefined, window: undefined },
      { count: 0, rate: undefined, window: undefined },
      { count: undefined, rate: undefined, window: undefined },
      { count: 2, rate: undefined, window: undefined },
      // 4 blinks from the first tracked frame (1 s) to 31 s: 8 a minute.
      { count: 4, rate: 8, window: 30 },
    ]);
    expect(got.map((u) => u.queued)).toEqual([false, false, true, false, false]);
  });

  it('set nothing on the wire for an untracked frame: absent, not 0', async () => {
    const [update] = await updates(scripted([undefined]), [T0]);
    const wire = EmotionUpdate.decode(EmotionUpdate.encode(update).finish());
    expect(wire.blinkCount).toBeUndefined();
    expect(EmotionUpdate.toJSON(wire)).not.toHaveProperty('blinkCount');
    const [tracked] = await updates(scripted([analysis(true, 0)]), [T0]);
    expect(EmotionUpdate.decode(EmotionUpdate.encode(tracked).finish()).blinkCount).toBe(0);
  });
});
