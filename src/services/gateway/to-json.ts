import {
  Difficulty,
  Interview,
  InterviewState,
  InterviewStatus,
  Progress,
  Question,
  SendFrameResponse,
  StreamInterviewResponse,
  SubmitAnswerResponse,
} from '../../gen/interview';

/**
 * The interview API's messages as the REST and WebSocket JSON of seed 003 (sections 4 and 5):
 * snake_case fields, enums as lower-case words, times as RFC 3339 strings, WebSocket messages as
 * `{type, data}`.
 */

const STATES: Readonly<Record<InterviewState, string>> = {
  [InterviewState.INTERVIEW_STATE_UNSPECIFIED]: 'unspecified',
  [InterviewState.INTERVIEW_STATE_IN_PROGRESS]: 'in_progress',
  [InterviewState.INTERVIEW_STATE_COMPLETED]: 'completed',
  [InterviewState.INTERVIEW_STATE_SCORED]: 'scored',
  [InterviewState.INTERVIEW_STATE_FAILED]: 'failed',
  [InterviewState.UNRECOGNIZED]: 'unspecified',
};

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type DifficultyName = (typeof DIFFICULTIES)[number];

const DIFFICULTY_OF_NAME: Readonly<Record<DifficultyName, Difficulty>> = {
  easy: Difficulty.DIFFICULTY_EASY,
  medium: Difficulty.DIFFICULTY_MEDIUM,
  hard: Difficulty.DIFFICULTY_HARD,
};

export function difficultyOf(name: DifficultyName | undefined): Difficulty {
  return name ? DIFFICULTY_OF_NAME[name] : Difficulty.DIFFICULTY_UNSPECIFIED;
}

function difficultyName(difficulty: Difficulty): string {
  return Object.entries(DIFFICULTY_OF_NAME).find(([, d]) => d === difficulty)?.[0] ?? 'unspecified';
}

export function questionJson(q: Question) {
  return { id: q.id, text: q.text, category: q.category, difficulty: difficultyName(q.difficulty), expected_duration_seconds: q.expectedDurationSeconds };
}

export function interviewJson(i: Interview) {
  return {
    id: i.id,
    candidate_id: i.candidateId,
    state: STATES[i.state],
    questions: i.questions.map(questionJson),
    answered_question_ids: i.answeredQuestionIds,
    started_at: i.startedAt?.toISOString() ?? null,
    completed_at: i.completedAt?.toISOString() ?? null,
    failure_reason: i.failureReason,
  };
}

/** Seed 003 section 5's status data: progress in percent, the question now asked (1-based), the total. */
export function progressJson(p: Progress | undefined) {
  const total = p?.totalQuestions ?? 0;
  const answered = p?.answered ?? 0;
  return { progress: p?.percent ?? 0, current_question: Math.min(answered + 1, total), total_questions: total, answered };
}

export function statusJson(s: InterviewStatus) {
  return {
    interview_id: s.interviewId,
    state: STATES[s.state],
    ...progressJson(s.progress),
    frames_received: s.framesReceived,
    failure_reason: s.failureReason,
  };
}

export function answerJson(r: SubmitAnswerResponse) {
  return { answer_id: r.answerId, next_question: r.nextQuestion ? questionJson(r.nextQuestion) : null, status: progressJson(r.progress) };
}

export function frameJson(r: SendFrameResponse) {
  const a = r.analysis;
  return {
    frame_number: r.frameNumber,
    queued: r.queued,
    analysis: a
      ? {
          emotion: a.emotion,
          confidence: a.confidence,
          timestamp: a.timestamp,
          face_detected: a.faceMetrics?.detected ?? false,
          blink_count: a.blinkMetrics?.count ?? 0,
          blink_rate: a.blinkMetrics?.rate ?? 0,
        }
      : null,
  };
}

/** A WebSocket message to the client (seed 003 section 5). */
export interface ServerMessage {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** One StreamInterview event as seed 003 section 5's server message; undefined for an empty one. */
export function streamEventJson(r: StreamInterviewResponse): ServerMessage | undefined {
  if (r.emotionUpdate) {
    const u = r.emotionUpdate;
    return {
      type: 'emotion_update',
      data: {
        emotion: u.emotion,
        confidence: u.confidence,
        timestamp: u.timestampMs,
        frame_number: u.frameNumber,
        face_detected: u.faceDetected,
        queued: u.queued,
        // As the REST frame's analysis names them; left out when not measured (a queued frame, no eyes tracked).
        ...(u.blinks ? { blink_count: u.blinks.count, blink_rate: u.blinks.rate } : {}),
      },
    };
  }
  if (r.question) return { type: 'question', data: questionJson(r.question) };
  if (r.status) return { type: 'status', data: progressJson(r.status) };
  if (r.error) {
    const e = r.error;
    // Seed 003's example code is the reason (FACE_NOT_DETECTED); a status code when there is none.
    return { type: 'error', data: { code: e.reason || e.code, message: e.message, status: e.code, retry_after_ms: e.retryAfterMs } };
  }
  if (r.pong) return { type: 'pong', data: { sent_at_ms: r.pong.sentAtMs } };
  return undefined;
}
