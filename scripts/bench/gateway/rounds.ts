import { FrameOutcome, FramePath } from './paths';
import { InterviewPacer } from './pacer';

/** One round: the same frame on both paths, one after the other. */
export interface Round {
  readonly index: number;
  readonly warmup: boolean;
  /** By path name. */
  readonly outcomes: Readonly<Record<string, FrameOutcome>>;
}

export interface RoundsOptions {
  /** Rounds left out of the figures, first (connections, the token's verification cached, the interviews' analysis streams opened). */
  readonly warmup: number;
  /** Rounds measured after them. */
  readonly rounds: number;
  /** Senders running rounds at once. */
  readonly concurrency: number;
  /** Called after each round, with the rounds done so far. */
  readonly progress?: (done: number, total: number) => void;
}

/**
 * Runs warm-up + rounds rounds on `concurrency` senders. In each round the frame goes on both
 * paths in turn, each send to the interview the pacer gives (one at a time per path in a round, so
 * a path never competes with itself within a sender), the first path alternating from round to
 * round so that neither always meets the connection or the emotion service's state the other left.
 */
export async function runRounds(paths: readonly [FramePath, FramePath], pacer: InterviewPacer, options: RoundsOptions): Promise<Round[]> {
  const total = options.warmup + options.rounds;
  const rounds: Round[] = [];
  let next = 0;
  const sender = async () => {
    for (let index = next++; index < total; index = next++) {
      const order = index % 2 === 0 ? paths : ([paths[1], paths[0]] as const);
      const outcomes: Record<string, FrameOutcome> = {};
      for (const path of order) outcomes[path.name] = await path.send(await pacer.take());
      rounds.push({ index, warmup: index < options.warmup, outcomes });
      options.progress?.(rounds.length, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, total) }, sender));
  return rounds.sort((a, b) => a.index - b.index);
}
