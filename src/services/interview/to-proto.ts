import { Difficulty, Interview, InterviewState, Progress, Question } from '../../gen/interview';
import { ServiceError } from '../../platform/grpc/errors';
import { Progress as DomainProgress, QuestionRecord, SessionRecord } from './domain/interview';

const DIFFICULTIES: Record<string, Difficulty> = {
  easy: Difficulty.DIFFICULTY_EASY,
  medium: Difficulty.DIFFICULTY_MEDIUM,
  hard: Difficulty.DIFFICULTY_HARD,
};

const STATES: Record<SessionRecord['status'], InterviewState> = {
  in_progress: InterviewState.INTERVIEW_STATE_IN_PROGRESS,
  completed: InterviewState.INTERVIEW_STATE_COMPLETED,
  scored: InterviewState.INTERVIEW_STATE_SCORED,
  failed: InterviewState.INTERVIEW_STATE_FAILED,
};

/** The bank's difficulty name for a Difficulty; undefined for UNSPECIFIED; INVALID_ARGUMENT for unknown values. */
export function difficultyName(value: Difficulty): string | undefined {
  if (value === Difficulty.DIFFICULTY_UNSPECIFIED) return undefined;
  const name = Object.keys(DIFFICULTIES).find((key) => DIFFICULTIES[key] === value);
  if (!name) throw ServiceError.invalidArgument(`difficulty ${value} is not a known Difficulty`);
  return name;
}

export function toQuestion(q: QuestionRecord): Question {
  return {
    id: q.id,
    text: q.text,
    category: q.category,
    difficulty: DIFFICULTIES[q.difficulty] ?? Difficulty.DIFFICULTY_UNSPECIFIED,
    expectedDurationSeconds: q.expectedDurationSeconds,
  };
}

export function toInterview(s: SessionRecord): Interview {
  return {
    id: s.id,
    candidateId: s.candidateId,
    state: STATES[s.status],
    questions: s.questions.map(toQuestion),
    answeredQuestionIds: s.answeredQuestionIds,
    startedAt: s.startedAt,
    completedAt: s.completedAt ?? undefined,
    failureReason: s.failureReason ?? '',
  };
}

export function toProgress(p: DomainProgress): Progress {
  return { percent: p.percent, answered: p.answered, totalQuestions: p.totalQuestions };
}

export function toState(status: SessionRecord['status']): InterviewState {
  return STATES[status];
}
