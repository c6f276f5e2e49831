/** An interview as the interview service keeps it: its questions, answers and frames. */

/** `failed`: completed, but the scoring service could not score it (interview.scoring.failed); it gets no report. */
export type SessionStatus = 'in_progress' | 'completed' | 'scored' | 'failed';

export interface QuestionRecord {
  id: string;
  text: string;
  category: string;
  difficulty: string;
  expectedDurationSeconds: number;
}

export interface SessionRecord {
  id: string;
  candidateId: string;
  status: SessionStatus;
  startedAt: Date;
  completedAt: Date | null;
  framesReceived: number;
  /** Why scoring failed, when `status` is `failed`; null otherwise. */
  failureReason: string | null;
  /** In the order they are asked. */
  questions: QuestionRecord[];
  answeredQuestionIds: string[];
}

export interface AnswerRecord {
  questionId: string;
  question: string;
  category: string;
  transcript: string;
  durationSeconds: number;
  confidence: number;
  /** When it was submitted (recorded). */
  answeredAt: Date;
}

/** An answer as submitted: the question it answers and what was said. */
export type SubmittedAnswer = Omit<AnswerRecord, 'question' | 'category' | 'answeredAt'>;

export interface Progress {
  /** 0..100. */
  percent: number;
  answered: number;
  totalQuestions: number;
}

/** Questions per interview when the request leaves question_count 0, and the most allowed. */
export const DEFAULT_QUESTION_COUNT = 5;
export const MAX_QUESTION_COUNT = 20;

/** Order of categories within an interview, from warm-up to wrap-up; others go last. */
const CATEGORY_ORDER = ['introduction', 'behavioral', 'technical', 'system_design', 'closing'];

/** `questions` from warm-up to wrap-up (CATEGORY_ORDER), then by id. */
export function inInterviewOrder(questions: readonly QuestionRecord[]): QuestionRecord[] {
  const rank = (category: string) => {
    const index = CATEGORY_ORDER.indexOf(category);
    return index === -1 ? CATEGORY_ORDER.length : index;
  };
  return [...questions].sort((a, b) => rank(a.category) - rank(b.category) || a.id.localeCompare(b.id));
}

export function progressOf(session: SessionRecord): Progress {
  const total = session.questions.length;
  const answered = session.answeredQuestionIds.length;
  return { percent: total ? Math.round((answered * 100) / total) : 0, answered, totalQuestions: total };
}

export function nextQuestion(session: SessionRecord): QuestionRecord | undefined {
  const answered = new Set(session.answeredQuestionIds);
  return session.questions.find((q) => !answered.has(q.id));
}
