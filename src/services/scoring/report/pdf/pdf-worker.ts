/**
 * A worker thread of PdfMaker (piscina): makes one report's PDF a task. Vega's layout and pdfkit's
 * font subsetting take a few hundred milliseconds of CPU, which would hold the scoring service's
 * event loop (gRPC, its consumers); and Vega, an ES module with top-level await, is imported here,
 * under tsx, where import() stays import().
 */
import { InterviewReport } from '../../../../gen/report';
import { makeReportPdf } from './make-report-pdf';

/** One PDF to make: the report (binary protobuf: Dates do not cross threads as ts-proto's types), how, and when. */
export interface PdfTask {
  readonly report: Uint8Array;
  readonly includeEmotions: boolean;
  /** The PDF's creation date, milliseconds since the Unix epoch. */
  readonly createdAtMs: number;
}

export default async function makePdf(task: PdfTask): Promise<Uint8Array> {
  const pdf = await makeReportPdf(InterviewReport.decode(task.report), { includeEmotions: task.includeEmotions, createdAt: new Date(task.createdAtMs) });
  return new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
}
