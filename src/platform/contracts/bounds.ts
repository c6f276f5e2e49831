/**
 * The bounds of what callers may send, one definition each: the interview service enforces them
 * at the edge, so that nothing is accepted that a later stage would refuse, and the services behind
 * it check them again. Each is documented where the contract states it (proto comments). Sizes past
 * a bound are RESOURCE_EXHAUSTED, naming the bound.
 */
export const BOUNDS = Object.freeze({
  /** Characters (UTF-16 code units) of one answer's transcript: about five hours of speech. */
  answerChars: 50_000,
  /** Frames one interview may receive: an hour at the 2 frames a second the clients send. */
  framesPerInterview: 7_200,
  /** Bytes of one encoded frame: a 4K JPEG is well under it. */
  frameBytes: 8 * 1024 * 1024,
  /** Pixels of one decoded frame (4096 x 4096). */
  framePixels: 4096 * 4096,
  /** Question categories a StartInterview may filter on, and characters in each. */
  categories: 10,
  categoryChars: 64,
  /** Frames in one AnalyzeBatch request, and their pixels together (32 frames of 1920 x 1080). */
  batchFrames: 32,
  batchPixels: 32 * 1920 * 1080,
  /** How long one StreamInterview may last, and may stay silent, milliseconds. */
  streamLifetimeMs: 3 * 3600_000,
  streamIdleMs: 5 * 60_000,
  /** Largest gRPC message a server accepts, bytes: a frame at its bound and the rest of its request. */
  messageBytes: 9 * 1024 * 1024,
  /**
   * Answers one CalculateScore analyses: each costs the answer-analysis model 50-100 ms of a core
   * (npm run bench:scoring), and an interview has at most 20 questions.
   */
  scoredAnswers: 100,
  /** Concurrent streams (calls) on one HTTP/2 connection. */
  concurrentStreamsPerConnection: 100,
});
