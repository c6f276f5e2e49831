import path from 'node:path';
import { Piscina } from 'piscina';

/** What startModelWorkers needs to start a pool of model workers. */
export interface ModelWorkersOptions<WorkerData> {
  /** The worker's module, absolute (workerModule: `.ts` under tsx, `.js` once compiled). */
  readonly filename: string;
  /** Worker threads, all started at once and kept: each holds its own ONNX Runtime sessions. */
  readonly threads: number;
  /** What each worker receives as `workerData` (structured-cloned; a SharedArrayBuffer is shared). */
  readonly workerData: WorkerData;
}

/**
 * The worker module `name` beside the calling module, in the caller's own form: `analysis-worker.ts`
 * when the caller runs from source through tsx (npm start, the tests, the container image), and
 * `analysis-worker.js` when it runs compiled (tsc's outDir keeps the layout). Pass the caller's
 * `__dirname` and `__filename`.
 */
export function workerModule(dirname: string, filename: string, name: string): string {
  return path.join(dirname, `${name}${path.extname(filename)}`);
}

/**
 * A piscina pool of `threads` workers, started now and never idled out (a model worker spends
 * seconds loading its models). A TypeScript worker module is loaded through tsx, as the main thread
 * loads the service; a compiled one directly.
 */
export function startModelWorkers<Task, Result, WorkerData>(options: ModelWorkersOptions<WorkerData>): Piscina<Task, Result> {
  return new Piscina<Task, Result>({
    filename: options.filename,
    minThreads: options.threads,
    maxThreads: options.threads,
    idleTimeout: Infinity,
    workerData: options.workerData,
    execArgv: options.filename.endsWith('.ts') ? ['--import', 'tsx'] : [],
  });
}

/**
 * `bytes` in an ArrayBuffer of their own, to hand a worker through a transfer list rather than a
 * clone: a gRPC message's or an AMQP delivery's bytes are a view into a larger buffer (Node's pooled
 * slab, the whole message) that transferring would detach from under its owner and cloning would
 * copy whole. One copy of the frame's own bytes here; the transfer itself copies nothing.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
