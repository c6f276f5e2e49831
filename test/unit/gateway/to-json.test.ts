/**
 * The gateway's WebSocket messages from StreamInterview's events (to-json.ts streamEventJson):
 * seed 003 section 5's emotion_update with what the page's live feedback shows (face, expression,
 * and the blinks the emotion service measured: blink_count and blink_rate, named as in the REST
 * frame's analysis, left out when not measured), and the error event's reason as its code.
 */
import { streamEventJson } from '../../../src/services/gateway/to-json';

const update = { frameNumber: 7, timestampMs: 1_700_000_000_000, emotion: 'happy', confidence: 0.9, faceDetected: true, faceBox: undefined, queued: false };

describe('streamEventJson', () => {
  it("carries an analysed frame's blinks as blink_count and blink_rate (blinks a minute)", () => {
    const message = streamEventJson({ emotionUpdate: { ...update, blinks: { count: 3, rate: 14.5, avgDuration: 120, eyeAspectRatio: 0.3 } } });
    expect(message).toEqual({
      type: 'emotion_update',
      data: {
        emotion: 'happy',
        confidence: 0.9,
        timestamp: 1_700_000_000_000,
        frame_number: 7,
        face_detected: true,
        queued: false,
        blink_count: 3,
        blink_rate: 14.5,
      },
    });
  });

  it('leaves the blinks out when none were measured (a queued frame, no eyes tracked)', () => {
    const message = streamEventJson({ emotionUpdate: { ...update, emotion: '', confidence: 0, faceDetected: false, queued: true, blinks: undefined } });
    expect(message?.data).toEqual({ emotion: '', confidence: 0, timestamp: 1_700_000_000_000, frame_number: 7, face_detected: false, queued: true });
  });

  it("names an error by its reason (seed 003's FACE_NOT_DETECTED), its status code beside it", () => {
    const message = streamEventJson({
      error: { code: 'FAILED_PRECONDITION', reason: 'FACE_NOT_DETECTED', message: 'Please ensure your face is visible', retryAfterMs: 0 },
    });
    expect(message).toEqual({
      type: 'error',
      data: { code: 'FACE_NOT_DETECTED', status: 'FAILED_PRECONDITION', message: 'Please ensure your face is visible', retry_after_ms: 0 },
    });
  });
});
