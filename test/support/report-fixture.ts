import { Assessment, EventKind, IntegrityEvent, Verdict } from '../../src/gen/integrity';
import { InterviewReport } from '../../src/gen/report';

/** The start of the fixture interview: 2025-03-14 09:30 UTC. */
export const FIXTURE_START_MS = Date.UTC(2025, 2, 14, 9, 30);

const QUESTIONS = [
  ['Tell me about yourself and your recent work.', 'behavioral'],
  ['Describe a production incident you handled and what you changed afterwards.', 'behavioral'],
  ['How does a hash map work, and what is its worst case?', 'technical'],
  ['How would you design a URL shortener?', 'system_design'],
] as const;

const EXPRESSIONS = ['neutral', 'happy', 'neutral', 'surprise', 'neutral', 'sad', 'happy', 'neutral'];

/**
 * A scored interview's report as scoring builds it (schema 2), without the models: four answers a
 * minute apart, a frame every 2 s with its expression (a gap without a face in the third minute)
 * and the interview's blinks so far (one every 4 s: 15 a minute), and two 60-s blink windows.
 */
export function fixtureReport(frames = 120): InterviewReport {
  const timeline = Array.from({ length: frames }, (_, i) => {
    const t = FIXTURE_START_MS + 1_000 + i * 2_000;
    const face = !(i >= 70 && i < 76);
    return {
      timestampMs: t,
      faceDetected: face,
      emotion: face ? EXPRESSIONS[i % EXPRESSIONS.length] : '',
      confidence: face ? 0.6 + (i % 4) / 10 : 0,
      blinkCount: Math.floor(i / 2),
    };
  });
  const counts: Record<string, number> = { angry: 0, disgust: 0, fear: 0, happy: 0, sad: 0, surprise: 0, neutral: 0 };
  for (const p of timeline) if (p.faceDetected) counts[p.emotion] += 1;
  const faces = timeline.filter((p) => p.faceDetected).length;
  return InterviewReport.fromPartial({
    schemaVersion: 2,
    sessionId: '5b7f3c8e-2d4a-4e6b-9c1d-0a2b3c4d5e6f',
    candidateId: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    startedAt: new Date(FIXTURE_START_MS),
    completedAt: new Date(FIXTURE_START_MS + 250_000),
    totalQuestions: 4,
    scores: { technical: 71.4, communication: 80.2, emotion: 83.7, overall: 76.5 },
    weights: { technical: 0.5, communication: 0.3, emotion: 0.2 },
    feedback: 'Technically solid answers with concrete examples. Clear delivery at a comfortable pace.',
    answers: QUESTIONS.map(([question, category], i) => ({
      questionId: `6f0c7a52-0d0e-4c64-9a53-01c5a8a1000${i + 1}`,
      question,
      category,
      durationSeconds: 40 + i,
      wordCount: 95 + i * 7,
      wordsPerMinute: 140.5 + i,
      relevanceScore: 70 + i,
      clarityScore: 80 - i,
      depthScore: 60 + 2 * i,
      keywords: ['event-driven design', 'observability', `keyword ${i + 1}`],
      feedback: `Answer ${i + 1}: name the trade-off you chose and why; the example was concrete.`,
      technicalScore: 64 + i,
      communicationScore: 85 - i,
      fillerWordCount: i,
      answeredAt: new Date(FIXTURE_START_MS + 60_000 * (i + 1)),
    })),
    emotionSummary: {
      sampleCount: frames,
      faceDetectedCount: faces,
      facePresentShare: Math.round((faces / frames) * 1000) / 1000,
      countsByEmotion: counts,
      unrecognisedCount: 0,
      dominantEmotion: 'neutral',
      positiveOrNeutralShare: 0.9,
      timeline,
    },
    blinks: {
      blinkCount: Math.floor((frames - 1) / 2),
      trackedSeconds: (frames - 1) * 2,
      blinksPerMinute: 15.1,
      windows: [
        { startMs: FIXTURE_START_MS + 1_000, endMs: FIXTURE_START_MS + 61_000, blinks: 15, blinksPerMinute: 15 },
        { startMs: FIXTURE_START_MS + 61_000, endMs: FIXTURE_START_MS + 121_000, blinks: 9, blinksPerMinute: 9 },
        { startMs: FIXTURE_START_MS + 121_000, endMs: FIXTURE_START_MS + 181_000, blinks: 24, blinksPerMinute: 24 },
      ],
      normalLowPerMinute: 10.5,
      normalHighPerMinute: 32.5,
    },
    insights: [
      {
        category: 'technical',
        description: 'Strongest answer: "How does a hash map work" (technical 67.0).',
        impact: 0.25,
        evidence: ['technical 67.0, at or above 70'],
      },
      { category: 'engagement', description: 'No face detected in 6 of 120 frames.', impact: -0.05, evidence: ['114 of 120 frames with a face'] },
    ],
  });
}

/** The fixture's integrity policy: the risk halves every 30 s; review at 0.4, flagged at 0.7. */
export const FIXTURE_INTEGRITY_POLICY = { halfLifeSeconds: 30, reviewThreshold: 0.4, flagThreshold: 0.7 };

/**
 * The integrity service's assessment of the fixture interview (integrity.v1.Assessment), its risks
 * computed as the risk engine's design says (each event: risk = 1 - (1 - risk)(1 - weight); the
 * risk halves every half-life between them): looking away confirmed at 1:01, a phone at 1:15 (the
 * peak, 0.75: flagged), a second face at 2:31; frames analysed every 2 s from 0:01 to 3:59 (120).
 * `frames` analysed frames (the last at 0:01 + 2 s each after the first) make it shorter or longer.
 */
export function fixtureAssessment(frames = 120): Assessment {
  const seen = [
    { kind: EventKind.EVENT_KIND_LOOKING_AWAY, startedS: 57, confirmedS: 61, weight: 0.25, detail: 'gaze left for 3.0 s' },
    { kind: EventKind.EVENT_KIND_PHONE_IN_VIEW, startedS: 75, confirmedS: 75, weight: 0.7, detail: 'cell phone 0.62 at (412, 300)' },
    { kind: EventKind.EVENT_KIND_MULTIPLE_FACES, startedS: 147, confirmedS: 151, weight: 0.4, detail: '2 faces (0.93, 0.81)' },
  ];
  const first = FIXTURE_START_MS + 1_000;
  const last = first + (frames - 1) * 2_000;
  const halfLifeMs = FIXTURE_INTEGRITY_POLICY.halfLifeSeconds * 1000;
  let risk = 0;
  let at = first;
  let peak = { risk: 0, at: first };
  const events = seen
    .filter((e) => FIXTURE_START_MS + e.confirmedS * 1000 <= last)
    .map((e) => {
      const confirmed = FIXTURE_START_MS + e.confirmedS * 1000;
      risk = 1 - (1 - risk * 0.5 ** ((confirmed - at) / halfLifeMs)) * (1 - e.weight);
      at = confirmed;
      if (risk > peak.risk) peak = { risk, at };
      return IntegrityEvent.fromPartial({
        kind: e.kind,
        startedAt: new Date(FIXTURE_START_MS + e.startedS * 1000),
        confirmedAt: new Date(confirmed),
        frameNumber: (confirmed - first) / 2_000 + 1,
        weight: e.weight,
        riskAfter: risk,
        detail: e.detail,
      });
    });
  const level = (r: number) =>
    r >= FIXTURE_INTEGRITY_POLICY.flagThreshold
      ? Verdict.VERDICT_FLAGGED
      : r >= FIXTURE_INTEGRITY_POLICY.reviewThreshold
        ? Verdict.VERDICT_REVIEW
        : Verdict.VERDICT_CLEAR;
  return Assessment.fromPartial({
    sessionId: '5b7f3c8e-2d4a-4e6b-9c1d-0a2b3c4d5e6f',
    verdict: level(peak.risk),
    risk: risk * 0.5 ** ((last - at) / halfLifeMs),
    peakRisk: peak.risk,
    peakAt: events.length ? new Date(peak.at) : undefined,
    framesAnalyzed: frames,
    firstFrameAt: new Date(first),
    lastFrameAt: new Date(last),
    events,
    eventsTotal: events.length,
    policy: FIXTURE_INTEGRITY_POLICY,
  });
}
