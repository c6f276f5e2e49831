import { BOUNDS } from '../../platform/contracts/bounds';
import { DIFFICULTIES } from './to-json';

/**
 * The JSON Schemas of the gateway's requests and responses: Fastify validates requests with them
 * (400 naming the field), and the OpenAPI document (openapi.ts) publishes the same objects. Every
 * field a caller controls is bounded: strings by length, numbers by range, arrays by items, objects
 * closed (additionalProperties false); bodies by bytes (BODY_LIMITS). The bounds are the mesh's
 * (BOUNDS, the auth service's credentials, the interview's question count), so what passes here is
 * not refused later for its size.
 */

/** Characters of base64 for `bytes` bytes (RFC 4648 section 4, padded). */
export function base64Chars(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** Emails (RFC 5321's 254), passwords (the auth service's 8 to 128), opaque tokens. */
const EMAIL_CHARS = 254;
const PASSWORD_CHARS = { min: 8, max: 128 };
const TOKEN_CHARS = 4096;
/** The interview service's question count (domain MAX_QUESTION_COUNT). */
const MAX_QUESTIONS = 20;
/** Seconds one answer may take: a stream's lifetime. */
const MAX_ANSWER_SECONDS = BOUNDS.streamLifetimeMs / 1000;
/** Milliseconds since the epoch: the largest exact integer. */
const MAX_TIMESTAMP_MS = Number.MAX_SAFE_INTEGER;

/** Bytes of a request body: a frame's base64 image and a little JSON around it; 16 KiB for the rest, 256 KiB for an answer's transcript. */
export const BODY_LIMITS = Object.freeze({
  frame: base64Chars(BOUNDS.frameBytes) + 4096,
  answer: BOUNDS.answerChars * 4 + 4096,
  small: 16 * 1024,
});

/** Bytes of one WebSocket message: a frame's, the largest a client sends (ws closes with 1009 past it). */
export const WS_MAX_MESSAGE_BYTES = BODY_LIMITS.frame;

const uuid = { type: 'string', format: 'uuid', maxLength: 36 } as const;

export const S = {
  InterviewId: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: uuid } },
  RegisterRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: {
      email: { type: 'string', minLength: 3, maxLength: EMAIL_CHARS },
      password: { type: 'string', minLength: PASSWORD_CHARS.min, maxLength: PASSWORD_CHARS.max },
      role: { type: 'string', enum: ['candidate', 'interviewer'], description: 'candidate by default; interviewer needs invitation_code' },
      invitation_code: { type: 'string', maxLength: 256 },
    },
  },
  RegisterResponse: {
    type: 'object',
    required: ['user_id', 'role'],
    properties: { user_id: { type: 'string' }, role: { type: 'string', enum: ['candidate', 'interviewer', 'unspecified'] } },
  },
  LoginRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: { email: { type: 'string', minLength: 3, maxLength: EMAIL_CHARS }, password: { type: 'string', minLength: 1, maxLength: PASSWORD_CHARS.max } },
  },
  RefreshRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['refresh_token'],
    properties: { refresh_token: { type: 'string', minLength: 1, maxLength: TOKEN_CHARS } },
  },
  TokenPair: {
    type: 'object',
    required: ['access_token', 'refresh_token', 'expires_in', 'token_type'],
    properties: {
      access_token: { type: 'string' },
      refresh_token: { type: 'string' },
      expires_in: { type: 'integer', description: 'seconds' },
      token_type: { type: 'string' },
    },
  },
  StartInterviewRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      categories: { type: 'array', maxItems: BOUNDS.categories, items: { type: 'string', minLength: 1, maxLength: BOUNDS.categoryChars } },
      difficulty: { type: 'string', enum: [...DIFFICULTIES] },
      question_count: { type: 'integer', minimum: 1, maximum: MAX_QUESTIONS },
    },
  },
  Question: {
    type: 'object',
    required: ['id', 'text', 'category'],
    properties: {
      id: { type: 'string' },
      text: { type: 'string' },
      category: { type: 'string' },
      difficulty: { type: 'string' },
      expected_duration_seconds: { type: 'integer' },
    },
  },
  Interview: {
    type: 'object',
    required: ['id', 'candidate_id', 'state', 'questions', 'answered_question_ids'],
    properties: {
      id: { type: 'string' },
      candidate_id: { type: 'string' },
      state: { type: 'string', enum: ['unspecified', 'in_progress', 'completed', 'scored', 'failed'] },
      questions: { type: 'array', items: { $ref: '#/components/schemas/Question' } },
      answered_question_ids: { type: 'array', items: { type: 'string' } },
      started_at: { type: ['string', 'null'], format: 'date-time' },
      completed_at: { type: ['string', 'null'], format: 'date-time' },
      failure_reason: { type: 'string' },
    },
  },
  FrameRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['image'],
    properties: {
      image: {
        type: 'string',
        minLength: 4,
        maxLength: base64Chars(BOUNDS.frameBytes),
        description: `base64 (RFC 4648) JPEG or PNG, at most ${BOUNDS.frameBytes} bytes decoded`,
      },
      format: { type: 'string', enum: ['jpeg', 'png'] },
      timestamp: { type: 'integer', minimum: 0, maximum: MAX_TIMESTAMP_MS, description: 'capture time, milliseconds since the epoch; now when absent' },
      session_id: { ...uuid, description: "seed 003 section 5's field; when present it must be the path's id" },
    },
  },
  FrameResponse: {
    type: 'object',
    required: ['frame_number', 'queued'],
    properties: {
      frame_number: { type: 'integer' },
      queued: { type: 'boolean', description: 'analysed later through the queue rather than now' },
      analysis: {
        type: ['object', 'null'],
        properties: {
          emotion: { type: 'string' },
          confidence: { type: 'number' },
          timestamp: { type: 'integer' },
          face_detected: { type: 'boolean' },
          blink_count: {
            type: ['integer', 'null'],
            description: "the session's blinks so far as the emotion service counted them; null when it tracked none for this frame",
          },
          blink_rate: {
            type: ['number', 'null'],
            description: "the emotion service's blinks a minute since the session's first tracked frame (emotion.BlinkMetrics.rate); null with blink_count",
          },
        },
      },
    },
  },
  AnswerRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['question_id', 'transcript', 'duration'],
    properties: {
      question_id: uuid,
      transcript: { type: 'string', maxLength: BOUNDS.answerChars },
      duration: { type: 'number', minimum: 0, maximum: MAX_ANSWER_SECONDS, description: 'seconds' },
      confidence: { type: 'number', minimum: 0, maximum: 1 },
    },
  },
  Progress: {
    type: 'object',
    required: ['progress', 'current_question', 'total_questions'],
    properties: {
      progress: { type: 'integer', description: 'percent answered' },
      current_question: { type: 'integer', description: 'the question now asked, from 1' },
      total_questions: { type: 'integer' },
      answered: { type: 'integer' },
    },
  },
  AnswerResponse: {
    type: 'object',
    required: ['answer_id', 'status'],
    properties: {
      answer_id: { type: 'string' },
      next_question: { oneOf: [{ $ref: '#/components/schemas/Question' }, { type: 'null' }] },
      status: { $ref: '#/components/schemas/Progress' },
    },
  },
  InterviewStatus: {
    type: 'object',
    required: ['interview_id', 'state', 'progress', 'current_question', 'total_questions', 'frames_received'],
    properties: {
      interview_id: { type: 'string' },
      state: { type: 'string' },
      progress: { type: 'integer' },
      current_question: { type: 'integer' },
      total_questions: { type: 'integer' },
      answered: { type: 'integer' },
      frames_received: { type: 'integer' },
      failure_reason: { type: 'string' },
    },
  },
  ListInterviewsQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      page_size: { type: 'string', pattern: '^(0|[1-9][0-9]?|100)$', description: 'interviews per page, 1 to 100 (0 or absent: 20)' },
      page_token: { type: 'string', maxLength: 512, pattern: '^[A-Za-z0-9_-]*$', description: "the previous page's next_page_token, opaque" },
    },
  },
  InterviewList: {
    type: 'object',
    required: ['interviews', 'next_page_token'],
    properties: {
      interviews: { type: 'array', items: { $ref: '#/components/schemas/Interview' }, description: 'newest first; a candidate sees their own only' },
      next_page_token: { type: 'string', description: 'empty on the last page' },
    },
  },
  ReportQuery: {
    type: 'object',
    additionalProperties: false,
    properties: { format: { type: 'string', enum: ['json', 'pdf'] }, include_emotions: { type: 'string', enum: ['true', 'false'] } },
  },
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'status', 'message', 'details'],
        properties: {
          code: { type: 'integer', description: 'the HTTP status' },
          status: { type: 'string', description: 'the gRPC status code name (google.rpc.Code)' },
          message: { type: 'string' },
          details: { type: 'array', items: { type: 'object', required: ['@type'], properties: { '@type': { type: 'string' } } } },
        },
      },
    },
  },
  /** The WebSocket's `emotion_update` (OpenAPI has no WebSocket operations: published here for its shape). */
  EmotionUpdateMessage: {
    type: 'object',
    description: 'WebSocket /ws/interviews/{id}, server to client: one per frame taken (StreamInterview EmotionUpdate)',
    required: ['type', 'data'],
    properties: {
      type: { const: 'emotion_update' },
      data: {
        type: 'object',
        required: [
          'emotion',
          'confidence',
          'timestamp',
          'frame_number',
          'face_detected',
          'queued',
          'blink_count',
          'blink_rate_per_minute',
          'blink_rate_window_seconds',
        ],
        properties: {
          emotion: { type: 'string', description: 'FER-2013 label; empty without a face or when queued' },
          confidence: { type: 'number', minimum: 0, maximum: 1 },
          timestamp: { type: 'integer', description: 'capture time, milliseconds since the epoch' },
          frame_number: { type: 'integer', minimum: 1 },
          face_detected: { type: 'boolean' },
          queued: { type: 'boolean', description: 'analysed later through the queue: no emotion, face or blinks now' },
          blink_count: {
            type: ['integer', 'null'],
            minimum: 0,
            description:
              "the interview's blinks so far as the emotion service counted them (eye aspect ratio); null when not tracked for this frame (queued, or no face yet)",
          },
          blink_rate_per_minute: {
            type: ['number', 'null'],
            minimum: 0,
            description:
              "blinks a minute over the stream's last 60 s of tracked frames; null with blink_count, and until those frames span 15 s (each new socket starts again). Conversational range 10.5 to 32.5 (Doughty 2001)",
          },
          blink_rate_window_seconds: { type: ['number', 'null'], minimum: 15, maximum: 60, description: 'the span the rate was measured over; null with it' },
        },
      },
    },
  },
} as const;
