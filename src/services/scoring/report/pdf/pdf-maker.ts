import path from 'node:path';
import { Piscina } from 'piscina';
import { InterviewReport } from '../../../../gen/report';
import { LimitExceededError } from '../../../../platform/errors/domain-errors';
import type { PdfOptions } from './report-pdf';
import type { PdfTask } from './pdf-worker';

/** PDFs made at once by default (a worker thread each, about 60 MB with Vega and the fonts). */
export const DEFAULT_PDF_THREADS = 1;
/** PDFs that may wait for a worker; one more is refused (RESOURCE_EXHAUSTED). */
export const DEFAULT_PDF_QUEUE = 8;
/** A worker with nothing to do for this long exits (the next PDF starts one again, about a second). */
const IDLE_MS = 120_000;

/**
 * Report PDFs made on worker threads (pdf-worker.ts, piscina), `threads` at once and `queue`
 * waiting at most: each is CPU work of a few hundred milliseconds that the service's event loop
 * should not do.
 */
export class PdfMaker {
  private readonly pool: Piscina<PdfTask, Uint8Array>;

  constructor(
    threads = DEFAULT_PDF_THREADS,
    private readonly queue = DEFAULT_PDF_QUEUE,
  ) {
    const workerFile = path.join(__dirname, `pdf-worker${path.extname(__filename)}`);
    this.pool = new Piscina<PdfTask, Uint8Array>({
      filename: workerFile,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: IDLE_MS,
      // TypeScript source (npm start, tests): the workers load it through tsx as the main thread does.
      execArgv: workerFile.endsWith('.ts') ? ['--import', 'tsx'] : [],
    });
  }

  /**
   * The PDF of `report` (report-pdf.ts).
   * @throws LimitExceededError (RESOURCE_EXHAUSTED) when `queue` PDFs wait already.
   */
  async make(report: InterviewReport, options: PdfOptions): Promise<Buffer> {
    if (this.pool.queueSize >= this.queue) {
      throw new LimitExceededError(`${this.pool.queueSize} report PDFs are waiting to be made already; retry shortly`);
    }
    const pdf = await this.pool.run({
      report: InterviewReport.encode(report).finish(),
      includeEmotions: options.includeEmotions,
      createdAtMs: options.createdAt.getTime(),
    });
    return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  }

  /** Stops the workers once the PDFs given them are made. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
