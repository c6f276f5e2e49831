import { createHash } from 'node:crypto';
import { IntegritySection, InterviewReport } from '../../../gen/report';
import { DocumentKey, ScoringStore } from '../store';
import type { PdfMaker } from './pdf/pdf-maker';

/**
 * SHA-256 (hex) of the integrity section's binary encoding (ts-proto writes fields in number order,
 * so the same section gives the same bytes); of the empty section when the report has none.
 */
export function integrityDigest(section: IntegritySection | undefined): string {
  return createHash('sha256')
    .update(IntegritySection.encode(section ?? IntegritySection.fromPartial({})).finish())
    .digest('hex');
}

/**
 * A report's PDFs, each made once and kept (report_documents): the first call that asks for one
 * makes it, in this process one call at a time for one document (the others wait for it), and every
 * later call reads the kept bytes, so the same document is always the same bytes. The integrity
 * section is read anew for every request (it is not part of the stored report), so a document is
 * kept for each section it showed: when the section changes (the assessment grew, or the integrity
 * service answers again after it did not) the next call makes a new one, and while it stays the same
 * the kept one is read.
 */
export class ReportDocuments {
  private readonly making = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly store: ScoringStore,
    private readonly maker: Pick<PdfMaker, 'make'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * The PDF of `report` (the interview's stored report with its integrity section, without its
   * timeline unless `includeEmotions`).
   * @throws LimitExceededError when too many PDFs wait to be made (PdfMaker).
   */
  async pdf(report: InterviewReport, includeEmotions: boolean): Promise<Buffer> {
    const key: DocumentKey = { sessionId: report.sessionId, format: 'pdf', includeEmotions, integrityDigest: integrityDigest(report.integrity) };
    const kept = await this.store.loadDocument(key);
    if (kept) return kept;
    const id = `${key.sessionId}/${key.format}/${String(includeEmotions)}/${key.integrityDigest}`;
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
