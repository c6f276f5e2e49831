/**
 * The WebSocket's `emotion_update` as the gateway builds it from StreamInterview's EmotionUpdate:
 * seed 003's emotion, confidence and timestamp, then the frame's number, face and queue flags and
 * the blinks, which are null when the interview service left them unset (not measured) and numbers,
 * 0 included, when it set them; every field the published schema (EmotionUpdateMessage) requires.
 */
import { EmotionUpdate } from '../../../src/gen/interview';
import { S } from '../../../src/services/gateway/schemas';
import { frameJson, streamEventJson } from '../../../src/services/gateway/to-json';

const base = EmotionUpdate.fromPartial({ frameNumber: 7, timestampMs: 1_764_460_800_000, emotion: 'happy', confidence: 0.75, faceDetected: true });

test('a tracked frame: its blink count and rate, 0 kept as 0', () => {
  const message = streamEventJson({ emotionUpdate: { ...base, blinkCount: 0, blinkRatePerMinute: 0, blinkRateWindowSeconds: 15 } });
  expect(message).toEqual({
    type: 'emotion_update',
    data: {
      emotion: 'happy',
      confidence: 0.75,
      timestamp: 1_764_460_800_000,
      frame_number: 7,
      face_detected: true,
      queued: false,
      blink_count: 0,
      blink_rate_per_minute: 0,
      blink_rate_window_seconds: 15,
    },
  });
  const counted = streamEventJson({ emotionUpdate: { ...base, blinkCount: 9, blinkRatePerMinute: 18.4, blinkRateWindowSeconds: 60 } });
  expect(counted?.data).toMatchObject({ blink_count: 9, blink_rate_per_minute: 18.4, blink_rate_window_seconds: 60 });
});

test('a frame whose blinks were not tracked, or whose rate is not yet measured: null, not 0', () => {
  expect(streamEventJson({ emotionUpdate: base })?.data).toMatchObject({ blink_count: null, blink_rate_per_minute: null, blink_rate_window_seconds: null });
  expect(streamEventJson({ emotionUpdate: { ...base, blinkCount: 2 } })?.data).toMatchObject({
    blink_count: 2,
    blink_rate_per_minute: null,
    blink_rate_window_seconds: null,
  });
});

test('the message has exactly the fields the published schema lists', () => {
  const data = streamEventJson({ emotionUpdate: base })?.data ?? {};
  const schema = S.EmotionUpdateMessage.properties.data;
  expect(Object.keys(data).sort()).toEqual([...schema.required].sort());
  expect(Object.keys(schema.properties).sort()).toEqual([...schema.required].sort());
});

test("a REST frame's analysis: the emotion service's blinks when it tracked them, null when it did not", () => {
  const analysis = { sessionId: 's', timestamp: 1, emotion: 'neutral', confidence: 0.5, faceMetrics: undefined, error: undefined };
  const tracked = frameJson({
    frameNumber: 3,
    queued: false,
    analysis: { ...analysis, blinkMetrics: { count: 0, rate: 0, avgDuration: 0, eyeAspectRatio: 0.3 } },
  });
  expect(tracked.analysis).toMatchObject({ blink_count: 0, blink_rate: 0 });
  const untracked = frameJson({ frameNumber: 4, queued: false, analysis: { ...analysis, blinkMetrics: undefined } });
  expect(untracked.analysis).toMatchObject({ blink_count: null, blink_rate: null });
  expect(frameJson({ frameNumber: 5, queued: true, analysis: undefined }).analysis).toBeNull();
});
