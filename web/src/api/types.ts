/**
 * The JSON the gateway speaks (seed 003 sections 4 and 5): snake_case fields, enums as lower-case
 * words, times as RFC 3339 strings. The report inside `ReportJson.report` is
 * interview.report.v1.InterviewReport's proto3 JSON with the proto's field names (snake_case too).
 */

export type Role = 'candidate' | 'interviewer';

export interface TokenPair {
  readonly access_token: string;
  readonly refresh_token: string;
  /** Seconds. */
  readonly expires_in: number;
  readonly token_type: string;
}

export interface Question {
  readonly id: string;
  readonly text: string;
  readonly category: string;
  readonly difficulty?: string;
  readonly expected_duration_seconds?: number;
}

export type InterviewState = 'unspecified' | 'in_progress' | 'completed' | 'scored' | 'failed';

export interface Interview {
  readonly id: string;
  readonly candidate_id: string;
  readonly state: InterviewState;
  readonly questions: readonly Question[];
  readonly answered_question_ids: readonly string[];
  readonly started_at: string | null;
  readonly completed_at: string | null;
  readonly failure_reason?: string;
}

/** Seed 003 section 5's status data, also in the answer's response and GET .../status. */
export interface Progress {
  /** Percent answered. */
  readonly progress: number;
  /** The question now asked, from 1. */
  readonly current_question: number;
  readonly total_questions: number;
  readonly answered?: number;
}

export interface InterviewStatus extends Progress {
  readonly interview_id: string;
  readonly state: InterviewState;
  readonly frames_received: number;
  readonly failure_reason?: string;
}

export interface FrameAnalysis {
  readonly emotion: string;
  readonly confidence: number;
  readonly timestamp: number;
  readonly face_detected: boolean;
  /** The session's blinks so far; null when none were tracked for this frame. */
  readonly blink_count: number | null;
  /** Blinks a minute since the session's first tracked frame; null with blink_count. */
  readonly blink_rate: number | null;
}

export interface FrameResponse {
  readonly frame_number: number;
  readonly queued: boolean;
  readonly analysis: FrameAnalysis | null;
}

export interface AnswerResponse {
  readonly answer_id: string;
  readonly next_question: Question | null;
  readonly status: Progress;
}

/** One page of `GET /api/v1/interviews?page_size=&page_token=` (the interviewer's list; ListInterviews). */
export interface InterviewPage {
  readonly interviews: readonly Interview[];
  /** Empty on the last page. */
  readonly next_page_token: string;
}

/**
 * interview.report.v1 messages in the gateway's JSON: proto3 JSON with the proto's own field names
 * (snake_case, as the rest of the API), and proto3's defaults left out: a number or a flag that is
 * absent is 0 or false, except the fields the proto marks `optional` (absent: not measured).
 */
export interface ReportAnswer {
  readonly question_id: string;
  readonly question: string;
  readonly category?: string;
  readonly duration_seconds?: number;
  readonly word_count?: number;
  /** `optional`: absent when the duration was too short to tell. */
  readonly words_per_minute?: number;
  readonly relevance_score?: number;
  readonly clarity_score?: number;
  readonly depth_score?: number;
  readonly keywords?: readonly string[];
  readonly feedback?: string;
  readonly technical_score?: number;
  readonly communication_score?: number;
  readonly filler_word_count?: number;
  readonly answered_at?: string;
}

export interface TimelinePoint {
  /** Milliseconds since the epoch (int64: a number, or a string from a printer that keeps 64 bits). */
  readonly timestamp_ms: string | number;
  readonly face_detected?: boolean;
  readonly emotion?: string;
  readonly confidence?: number;
  readonly blink_count?: number;
}

export interface Scores {
  readonly technical?: number;
  readonly communication?: number;
  readonly emotion?: number;
  readonly overall?: number;
}

/** One event that raised the interview's integrity risk (interview.report.v1.IntegrityEventRecord). */
export interface IntegrityEvent {
  /** `INTEGRITY_EVENT_KIND_LOOKING_AWAY`, `..._PHONE_IN_VIEW`, ... */
  readonly kind?: string;
  /** Milliseconds since the epoch: when the condition began, and the frame that confirmed it. */
  readonly started_at_ms?: string | number;
  readonly confirmed_at_ms?: string | number;
  readonly frame_number?: string | number;
  /** What it added to the risk, and the risk after it, 0..1. */
  readonly weight?: number;
  readonly risk_after?: number;
  /** What was seen, e.g. "cell phone 0.62 at (412, 300)". */
  readonly detail?: string;
}

/**
 * The report's integrity section (interview.report.v1.IntegritySection), read from the integrity
 * service when the report was asked for. Only `status` is set unless it is ASSESSED.
 */
export interface IntegritySection {
  /** `INTEGRITY_STATUS_ASSESSED`, `..._NOT_ASSESSED` (no frame analysed) or `..._UNAVAILABLE` (the service did not answer). */
  readonly status?: string;
  /** `INTEGRITY_VERDICT_CLEAR`, `..._REVIEW` or `..._FLAGGED`: the highest level the risk reached. */
  readonly verdict?: string;
  /** Risk at the last analysed frame and at its peak, 0..1. */
  readonly risk?: number;
  readonly peak_risk?: number;
  /** `optional`: absent when the risk never rose. Milliseconds since the epoch. */
  readonly peak_at_ms?: string | number;
  readonly frames_analyzed?: string | number;
  readonly first_frame_ms?: string | number;
  readonly last_frame_ms?: string | number;
  /** Oldest first, at most 200; `events_total` counts them all. */
  readonly events?: readonly IntegrityEvent[];
  readonly events_total?: number;
  readonly policy?: { readonly half_life_seconds?: number; readonly review_threshold?: number; readonly flag_threshold?: number };
}

export interface InterviewReport {
  readonly schema_version?: number;
  readonly session_id?: string;
  readonly candidate_id?: string;
  readonly started_at?: string;
  readonly completed_at?: string;
  readonly total_questions?: number;
  readonly scores?: Scores;
  readonly feedback?: string;
  readonly answers?: readonly ReportAnswer[];
  readonly emotion_summary?: {
    readonly sample_count?: number;
    readonly face_detected_count?: number;
    readonly face_present_share?: number;
    readonly dominant_emotion?: string;
    readonly counts_by_emotion?: Readonly<Record<string, number>>;
    readonly timeline?: readonly TimelinePoint[];
  };
  readonly blinks?: {
    readonly blink_count?: number;
    readonly tracked_seconds?: number;
    /** `optional`: absent when too little was tracked to tell. */
    readonly blinks_per_minute?: number;
    readonly normal_low_per_minute?: number;
    readonly normal_high_per_minute?: number;
  };
  readonly insights?: readonly { readonly category?: string; readonly description?: string; readonly impact?: number; readonly evidence?: readonly string[] }[];
  /** Absent from reports made before the integrity service existed. */
  readonly integrity?: IntegritySection;
}

/** `GET /api/v1/interviews/:id/report` (format=json). */
export interface ReportJson {
  readonly interview_id: string;
  readonly scores: Scores | null;
  readonly feedback: string;
  readonly report: InterviewReport | null;
  /**
   * A signed link to this report's JSON document (the interview service's, on its own origin) its
   * holder can fetch without logging in until `report_url_expires_at`; empty when none. The PDF
   * comes from `GET .../report?format=pdf` (ApiClient.getReportPdf).
   */
  readonly report_url: string;
  readonly report_url_expires_at: string | null;
}

/** The gateway's error body: google.rpc.Status's JSON form, `code` the HTTP status. */
export interface ErrorBody {
  readonly error: { readonly code: number; readonly status: string; readonly message: string; readonly details?: readonly object[] };
}

/** Seed 003 section 5, client to server (plus the gateway's first message, `auth`). */
export type ClientMessage =
  | { readonly type: 'auth'; readonly data: { readonly token: string } }
  | { readonly type: 'frame'; readonly data: { readonly session_id: string; readonly timestamp: number; readonly image: string; readonly format: 'jpeg' } }
  | {
      readonly type: 'answer';
      readonly data: { readonly question_id: string; readonly transcript: string; readonly duration: number; readonly confidence: number };
    }
  | { readonly type: 'ping'; readonly data: Record<string, never> };

export interface EmotionUpdate {
  readonly emotion: string;
  readonly confidence: number;
  readonly timestamp: number;
  readonly frame_number?: number;
  readonly face_detected?: boolean;
  readonly queued?: boolean;
  /** The interview's blinks so far, as the emotion service counted them; null when not measured for this frame (queued, no face yet). */
  readonly blink_count?: number | null;
  /** Blinks a minute over the socket's last `blink_rate_window_seconds`; null with blink_count and until its frames span 15 s. */
  readonly blink_rate_per_minute?: number | null;
  /** The span the rate covers, seconds (15 to 60); null with the rate. */
  readonly blink_rate_window_seconds?: number | null;
}

export interface StreamError {
  /** Seed 003's reason (FACE_NOT_DETECTED, RATE_LIMIT_EXCEEDED) or a gRPC status name. */
  readonly code: string;
  readonly message: string;
  readonly status?: string;
  readonly retry_after_ms?: number;
}

/** Seed 003 section 5, server to client. */
export type ServerMessage =
  | { readonly type: 'emotion_update'; readonly data: EmotionUpdate }
  | { readonly type: 'question'; readonly data: Question }
  | { readonly type: 'status'; readonly data: Progress }
  | { readonly type: 'error'; readonly data: StreamError }
  | { readonly type: 'pong'; readonly data: { readonly sent_at_ms?: number } };
