import { ServiceError, status } from '@grpc/grpc-js';
import { Difficulty } from '../../../src/gen/interview';
import { signUp } from '../../support/identity';
import { interviewClient } from '../../support/interview-client';
import { sleep } from '../../support/wait';

type Client = ReturnType<typeof interviewClient>;

/** A candidate of the load: their id (the access token's subject) and an interview client carrying their token. */
export interface Candidate {
  readonly userId: string;
  readonly client: Client;
}

/** `count` candidates signed up with the auth service at `authAddress`, each with a client of the interview service at `interviewAddress`. */
export async function signUpCandidates(authAddress: string, interviewAddress: string, count: number): Promise<Candidate[]> {
  const signedUp = await Promise.all(Array.from({ length: count }, () => signUp(authAddress, 'candidate')));
  return signedUp.map(({ userId, accessToken }) => ({ userId, client: interviewClient(interviewAddress, accessToken) }));
}

export interface LoadOptions {
  sessions: number;
  /** How long each interview streams frames, seconds. */
  seconds: number;
  framesPerSecond: number;
  image: Buffer;
}

/**
 * Interviews run the way a client runs them, recording only what the mesh confirmed (Jepsen's
 * rule: an operation counts once acknowledged). A SendFrame that failed is indeterminate: it is
 * not counted as sent, and if it was in fact recorded the audit reports it as unexpected. Session
 * `i` is candidate `i`'s (modulo their number), with their token.
 */
export class InterviewLoad {
  /** `<interview id>#<frame number>` of every frame SendFrame confirmed. */
  readonly confirmedFrames = new Set<string>();
  readonly started: string[] = [];
  readonly completed = new Set<string>();

  constructor(private readonly candidates: readonly Candidate[]) {}

  /** Runs `options.sessions` interviews at once; resolves when all are completed. */
  async run(options: LoadOptions): Promise<void> {
    await Promise.all(Array.from({ length: options.sessions }, (_, i) => this.interview(i, options)));
  }

  private async interview(index: number, options: LoadOptions): Promise<void> {
    const { userId, client } = this.candidates[index % this.candidates.length];
    const interview = await untilOk(() =>
      client.startInterview({ candidateId: userId, categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 2 }),
    );
    this.started.push(interview.id);
    const period = 1000 / options.framesPerSecond;
    const until = Date.now() + options.seconds * 1000;
    for (let next = Date.now(); next < until; next += period) {
      await sleep(Math.max(0, next - Date.now()));
      try {
        const sent = await client.sendFrame({ interviewId: interview.id, imageData: options.image, format: 'jpeg', timestampMs: Date.now() });
        this.confirmedFrames.add(`${interview.id}#${sent.frameNumber}`);
      } catch {
        // Indeterminate: not counted as sent (see the class comment).
      }
    }
    for (const question of interview.questions) {
      // After an indeterminate failure the answer may be in: ALREADY_EXISTS then means done.
      await untilOk(
        () =>
          client.submitAnswer({
            interviewId: interview.id,
            questionId: question.id,
            transcript: 'I would measure first, then cache the hot path and add an index.',
            durationSeconds: 20,
            confidence: 0.9,
          }),
        [status.ALREADY_EXISTS],
      );
    }
    await untilOk(() => client.completeInterview({ interviewId: interview.id }));
    this.completed.add(interview.id);
  }
}

/** Calls `call` until it succeeds (or fails with one of `doneCodes`), for up to two minutes. */
async function untilOk<T>(call: () => Promise<T>, doneCodes: status[] = []): Promise<T> {
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (doneCodes.includes((error as ServiceError).code)) return undefined as T;
      if (Date.now() > until) throw error;
      await sleep(250);
    }
  }
}
