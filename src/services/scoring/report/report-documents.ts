import { InterviewReport } from '../../../gen/report';
import { DocumentKey, ScoringStore } from '../store';
import type { PdfMaker } from './pdf/pdf-maker';

/**
 * A report's PDFs, each made once and kept (report_documents): the first call that asks for one
 * makes it, in this process one call at a time for one document (the others wait for it), and every
 * later call reads the kept bytes, so the same document is always the same bytes.
 */
export class ReportDocuments {
  private readonly making = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly store: ScoringStore,
    private readonly maker: Pick<PdfMaker, 'make'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The PDF of `report` (the interview's stored report, without its timeline unless
   * `includeEmotions`).
   * @throws LimitExceededError when too many PDFs wait to be made (PdfMaker).
   */
  async pdf(report: InterviewReport, includeEmotions: boolean): Promise<Buffer> {
    const key: DocumentKey = { sessionId: report.sessionId, format: 'pdf', includeEmotions };
    const kept = await this.store.loadDocument(key);
    if (kept) return kept;
    const id = `${key.sessionId}/${key.format}/${String(includeEmotions)}`;
    let pending = this.making.get(id);
    if (!pending) {
      pending = this.maker
        .make(report, { includeEmotions, createdAt: this.now() })
        .then((pdf) => this.store.saveDocument(key, pdf))
        .finally(() => this.making.delete(id));
      this.making.set(id, pending);
    }
    return pending;
  }
}
