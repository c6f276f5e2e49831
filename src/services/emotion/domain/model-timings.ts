/** The emotion service's models, as the inference metric labels them (a bounded set). */
export const MODEL_NAMES = ['detection', 'landmarks', 'emotion'] as const;

/** detection: BlazeFace; landmarks: the face mesh (468 landmarks); emotion: the expression classifier (mini-Xception). */
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * The time each model took on the frames of one worker task, summed over its runs: wall-clock
 * seconds (input preparation and output decoding included, as `npm run bench:emotion` times its
 * stages) and the frames (detection) or faces (landmarks, emotion) it ran on. Plain data: it
 * crosses from the worker thread to the pool with the task's results.
 */
export type ModelTimings = Record<ModelName, { seconds: number; items: number }>;

/** Timings with nothing run yet, to accumulate into. */
export function noModelTimings(): ModelTimings {
  return { detection: { seconds: 0, items: 0 }, landmarks: { seconds: 0, items: 0 }, emotion: { seconds: 0, items: 0 } };
}

/**
 * Runs `run`, a stage of `model` on `items` frames or faces, and adds its duration to `timings`
 * (two monotonic clock reads); without `timings`, or with nothing to run it on, only runs it.
 */
export async function timeModel<T>(timings: ModelTimings | undefined, model: ModelName, items: number, run: () => Promise<T>): Promise<T> {
  if (!timings || items === 0) return run();
  const start = process.hrtime.bigint();
  const result = await run();
  const spent = timings[model];
  spent.seconds += Number(process.hrtime.bigint() - start) / 1e9;
  spent.items += items;
  return result;
}
