/**
 * GenerateReport on the stored report (PGlite, the scoring service's migrations): the typed report
 * and its JSON, the same bytes every call; the PDF made once, kept, and then read; include_emotions
 * honoured; include_video and unknown formats refused with their status.
 */
import { status } from '@grpc/grpc-js';
import { Kysely } from 'kysely';
import { InterviewReport } from '../../../src/gen/report';
import { ReportRequest } from '../../../src/gen/scoring';
import { reportJson } from '../../../src/platform/contracts/report-json';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { toStatus } from '../../../src/platform/grpc/errors';
import { silentLogger } from '../../../src/platform/log/logger';
import { provided } from '../../../src/platform/service/provisioned';
import { AnswerAnalyzer } from '../../../src/services/scoring/answer-analyzer';
import { scoringHandlers } from '../../../src/services/scoring/handlers';
import { scoringMigrations } from '../../../src/services/scoring/migrations';
import { PdfMaker } from '../../../src/services/scoring/report/pdf/pdf-maker';
import { PdfOptions } from '../../../src/services/scoring/report/pdf/report-pdf';
import { ReportDocuments } from '../../../src/services/scoring/report/report-documents';
import { ScoringStore, ScoringTables } from '../../../src/services/scoring/store';
import { testCallContext } from '../../support/call-context';
import { fixtureReport } from '../../support/report-fixture';

jest.setTimeout(60_000);

const CONTEXT = testCallContext('/scoring.ScoringService/GenerateReport');
const NO_ANALYZER = new AnswerAnalyzer(provided({ encode: () => Promise.reject(new Error('GenerateReport analysed an answer')) }), undefined);

let database: DatabaseHandle;
let db: Kysely<ScoringTables>;
let maker: PdfMaker;
let made: PdfOptions[];
let handlers: ReturnType<typeof scoringHandlers>;
const report = fixtureReport();
const SESSION = report.sessionId;

beforeAll(async () => {
  database = await openDatabase({ url: undefined, dataDir: 'memory://', log: silentLogger() });
  await migrateSchema(database.forService('scoring'), 'scoring', scoringMigrations, silentLogger());
  db = database.forService<ScoringTables>('scoring');
  await db
    .insertInto('reports')
    .values({ session_id: SESSION, format: 'json', report: reportJson().stringify(report) })
    .execute();
  maker = new PdfMaker();
  made = [];
  const counting = {
    make: (r: InterviewReport, options: PdfOptions) => {
      made.push(options);
      return maker.make(r, options);
    },
  };
  const store = new ScoringStore(db);
  handlers = scoringHandlers(store, NO_ANALYZER, new ReportDocuments(store, counting));
});

afterAll(async () => {
  await maker.close();
  await database.close();
});

const generate = (request: Partial<ReportRequest>) => handlers.generateReport(ReportRequest.fromPartial({ sessionId: SESSION, ...request }), CONTEXT);
const statusOf = async (request: Partial<ReportRequest>) => {
  const error = await generate(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  const { code, details } = toStatus(error);
  return `${status[code]}: ${details}`;
};

describe('GenerateReport', () => {
  it('gives the stored report, typed and as its JSON, byte for byte the same on every call (format json, or empty)', async () => {
    const first = await generate({ includeEmotions: true });
    const second = await generate({ includeEmotions: true, format: 'json' });
    expect(first.format).toBe('json');
    expect(first.report).toEqual(report);
    expect(Buffer.from(first.reportData).toString()).toBe(reportJson().stringify(report));
    expect(Buffer.from(second.reportData).equals(Buffer.from(first.reportData))).toBe(true);
    expect(first.reportUrl).toBe('');
  });

  it('leaves every frame out without include_emotions, the summary kept', async () => {
    const response = await generate({ includeEmotions: false });
    expect(response.report?.emotionSummary?.timeline).toEqual([]);
    expect(response.report?.emotionSummary?.sampleCount).toBe(report.emotionSummary?.sampleCount);
    expect(JSON.parse(Buffer.from(response.reportData).toString())).not.toHaveProperty('emotionSummary.timeline');
  });

  it('makes the PDF once and keeps it: later calls, and calls at once, get the same bytes', async () => {
    const [a, b] = await Promise.all([generate({ format: 'pdf', includeEmotions: true }), generate({ format: 'PDF', includeEmotions: true })]);
    expect(made).toHaveLength(1);
    expect(a.format).toBe('pdf');
    expect(Buffer.from(a.reportData).subarray(0, 5).toString()).toBe('%PDF-');
    expect(Buffer.from(b.reportData).equals(Buffer.from(a.reportData))).toBe(true);
    const later = await generate({ format: ' pdf ', includeEmotions: true });
    expect(made).toHaveLength(1);
    expect(Buffer.from(later.reportData).equals(Buffer.from(a.reportData))).toBe(true);
    // Without the emotions it is another document, made once too.
    const summary = await generate({ format: 'pdf', includeEmotions: false });
    expect(made.map((o) => o.includeEmotions)).toEqual([true, false]);
    expect(Buffer.from(summary.reportData).equals(Buffer.from(a.reportData))).toBe(false);
    const rows = await db.selectFrom('report_documents').select(['format', 'include_emotions']).where('session_id', '=', SESSION).execute();
    expect(rows).toHaveLength(2);
  });

  it('refuses include_video (UNIMPLEMENTED: no video is stored), unknown formats and bad ids, and says when there is no report yet', async () => {
    expect(await statusOf({ includeVideo: true })).toBe(
      'UNIMPLEMENTED: include_video: the mesh stores no video (frames are analysed, not kept), so no report can include it',
    );
    expect(await statusOf({ format: 'docx' })).toBe('INVALID_ARGUMENT: format must be json or pdf, got "docx"');
    expect(await statusOf({ sessionId: 'not-a-uuid' })).toMatch(/^INVALID_ARGUMENT: session_id/);
    expect(await statusOf({ sessionId: '00000000-0000-4000-8000-000000000000' })).toBe(
      'NOT_FOUND: no report for session 00000000-0000-4000-8000-000000000000: it has not been scored yet',
    );
  });

  it('refuses a PDF with RESOURCE_EXHAUSTED when too many wait to be made', async () => {
    const full = new PdfMaker(1, 0);
    try {
      const store = new ScoringStore(db);
      await db.deleteFrom('report_documents').execute();
      const refusing = scoringHandlers(store, NO_ANALYZER, new ReportDocuments(store, full));
      const error = await refusing.generateReport(ReportRequest.fromPartial({ sessionId: SESSION, format: 'pdf' }), CONTEXT).catch((e: unknown) => e);
      expect(toStatus(error).code).toBe(status.RESOURCE_EXHAUSTED);
      expect(toStatus(error).details).toBe('0 report PDFs are waiting to be made already; retry shortly');
    } finally {
      await full.close();
    }
  });
});
