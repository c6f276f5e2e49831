/**
 * GenerateReport on the stored report (PGlite, the scoring service's migrations): the typed report
 * and its JSON, the same bytes every call; the PDF made once, kept, and then read; include_emotions
 * honoured; include_video and unknown formats refused with their status. Its integrity section
 * read over mTLS, through the downstream client the service uses (deadline, breaker), from a real
 * integrity.v1 server in this process answering fixed assessments, NOT_FOUND, UNAVAILABLE or
 * nothing in time; a PDF kept for each section it shows.
 */
import { status } from '@grpc/grpc-js';
import { Kysely } from 'kysely';
import { Assessment, IntegrityServiceClient, IntegrityServiceService } from '../../../src/gen/integrity';
import { IntegritySection, IntegrityStatus, InterviewReport } from '../../../src/gen/report';
import { ReportRequest } from '../../../src/gen/scoring';
import { reportJson } from '../../../src/platform/contracts/report-json';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { adaptService, AsyncService } from '../../../src/platform/grpc/async-service';
import { NotFoundError, UnavailableError } from '../../../src/platform/errors/domain-errors';
import { ServiceError, toStatus } from '../../../src/platform/grpc/errors';
import { HealthState } from '../../../src/platform/grpc/health';
import { RunningGrpcServer, startGrpcServer } from '../../../src/platform/grpc/server';
import { silentLogger } from '../../../src/platform/log/logger';
import { createDownstreamClient, DownstreamClient } from '../../../src/platform/service/downstream-client';
import { provided } from '../../../src/platform/service/provisioned';
import { TransportSecurity } from '../../../src/platform/tls/transport-security';
import { AnswerAnalyzer } from '../../../src/services/scoring/answer-analyzer';
import { scoringHandlers } from '../../../src/services/scoring/handlers';
import { scoringMigrations } from '../../../src/services/scoring/migrations';
import { assessedSection, integrityReader } from '../../../src/services/scoring/report/integrity-section';
import { PdfMaker } from '../../../src/services/scoring/report/pdf/pdf-maker';
import { PdfOptions } from '../../../src/services/scoring/report/pdf/report-pdf';
import { ReportDocuments } from '../../../src/services/scoring/report/report-documents';
import { SCORING_DOWNSTREAMS } from '../../../src/services/scoring/server';
import { ScoringStore, ScoringTables } from '../../../src/services/scoring/store';
import { testCallContext } from '../../support/call-context';
import { fixtureAssessment, fixtureReport } from '../../support/report-fixture';
import { testTransport } from '../../support/tls';

jest.setTimeout(60_000);

const log = silentLogger();
const CONTEXT = testCallContext('/scoring.ScoringService/GenerateReport');
const NO_ANALYZER = new AnswerAnalyzer(provided({ encode: () => Promise.reject(new Error('GenerateReport analysed an answer')) }), undefined);
/** The integrity downstream's budget here: short, so that the test of a service too slow is quick. */
const INTEGRITY_DEADLINE_MS = 400;

let database: DatabaseHandle;
let db: Kysely<ScoringTables>;
let maker: PdfMaker;
let made: PdfOptions[];
let handlers: ReturnType<typeof scoringHandlers>;
let transport: TransportSecurity;
let integrityServer: RunningGrpcServer;
let integrity: DownstreamClient<IntegrityServiceClient>;
/** What the integrity server answers GetAssessment with now: an assessment, or a status to fail with. */
let answer: (sessionId: string) => Promise<Assessment>;
let asked: string[];
const report = fixtureReport();
const SESSION = report.sessionId;
const ASSESSED = assessedSection(fixtureAssessment());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  transport = await testTransport(['integrity']);
  const implementation: AsyncService<typeof IntegrityServiceService> = {
    analyzeFrame: () => Promise.reject(ServiceError.unimplemented('AnalyzeFrame')),
    getAssessment: (request) => {
      asked.push(request.sessionId);
      return answer(request.sessionId);
    },
  };
  integrityServer = await startGrpcServer({
    name: 'integrity-test',
    host: '127.0.0.1',
    port: 0,
    services: [
      {
        name: 'integrity.v1.IntegrityService',
        definition: IntegrityServiceService,
        implementation: adaptService(IntegrityServiceService, implementation, { log }),
      },
    ],
    health: new HealthState(['integrity.v1.IntegrityService']),
    log,
    credentials: transport.serverCredentials('integrity', true),
  });
  integrity = createDownstreamClient(SCORING_DOWNSTREAMS.integrity, {
    target: integrityServer.address,
    channel: transport.channel({ kind: 'service', name: 'scoring' }, 'integrity'),
    deadlineMs: INTEGRITY_DEADLINE_MS,
    log,
    // Opens after 3 failures of 3 calls, and stays open for the rest of the file once opened.
    breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 600_000 },
  });
  database = await openDatabase({ url: undefined, dataDir: 'memory://', log });
  await migrateSchema(database.forService('scoring'), 'scoring', scoringMigrations, log);
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
  handlers = scoringHandlers(store, NO_ANALYZER, new ReportDocuments(store, counting), integrityReader(integrity, log));
});

beforeEach(() => {
  answer = (sessionId) => Promise.resolve({ ...fixtureAssessment(), sessionId });
  asked = [];
});

afterAll(async () => {
  integrity.close();
  await integrityServer.shutdown(100);
  transport.close();
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
    expect(first.report).toEqual({ ...report, integrity: ASSESSED });
    expect(Buffer.from(first.reportData).toString()).toBe(reportJson().stringify({ ...report, integrity: ASSESSED }));
    expect(asked).toEqual([SESSION, SESSION]);
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

  it('keeps a PDF for each integrity section it shows: made anew when the assessment grows, the kept one read while it stays', async () => {
    await db.deleteFrom('report_documents').execute();
    made.length = 0;
    const first = await generate({ format: 'pdf', includeEmotions: false });
    // The integrity service caught up on more frames: another section, another document.
    answer = () => Promise.resolve(fixtureAssessment(121));
    const grown = await generate({ format: 'pdf', includeEmotions: false });
    expect(made).toHaveLength(2);
    expect(Buffer.from(grown.reportData).equals(Buffer.from(first.reportData))).toBe(false);
    expect(grown.report?.integrity?.framesAnalyzed).toBe(121);
    const again = await generate({ format: 'pdf', includeEmotions: false });
    expect(made).toHaveLength(2);
    expect(Buffer.from(again.reportData).equals(Buffer.from(grown.reportData))).toBe(true);
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

  it('says the interview is not assessed when the integrity service analysed none of its frames (NOT_FOUND), and sets nothing else', async () => {
    answer = (sessionId) => Promise.reject(new NotFoundError(`no frame of session ${sessionId} was analysed`));
    const response = await generate({});
    expect(response.report?.integrity).toEqual(IntegritySection.fromPartial({ status: IntegrityStatus.INTEGRITY_STATUS_NOT_ASSESSED }));
    const json = JSON.parse(Buffer.from(response.reportData).toString()) as { integrity?: unknown };
    expect(json.integrity).toEqual({ status: 'INTEGRITY_STATUS_NOT_ASSESSED' });
    // The rest of the report as stored.
    expect({ ...response.report, integrity: undefined }).toEqual({
      ...report,
      emotionSummary: { ...report.emotionSummary, timeline: [] },
      integrity: undefined,
    });
  });

  // These open the breaker, which stays open for the tests after them.
  it('says the integrity section is unavailable, and sets nothing else, when the service answers UNAVAILABLE, too late, or its breaker is open', async () => {
    const unavailable = IntegritySection.fromPartial({ status: IntegrityStatus.INTEGRITY_STATUS_UNAVAILABLE });
    answer = () => Promise.reject(new UnavailableError('the models are still loading; retry shortly'));
    expect((await generate({})).report?.integrity).toEqual(unavailable);
    // Slower than the budget: DEADLINE_EXCEEDED, or the breaker's timeout just before it.
    answer = async () => {
      await sleep(INTEGRITY_DEADLINE_MS * 3);
      return fixtureAssessment();
    };
    const slow = await generate({});
    expect(slow.report?.integrity).toEqual(unavailable);
    expect(slow.report?.scores).toEqual(report.scores);
    // Failing until the breaker opens (half the calls of its window failed: the earlier tests' succeeded).
    answer = () => Promise.reject(new UnavailableError('the models are still loading; retry shortly'));
    for (let i = 0; i < 40 && integrity.breakerState !== 'open'; i++) expect((await generate({})).report?.integrity).toEqual(unavailable);
    expect(integrity.breakerState).toBe('open');
    // Open: the report is given at once, without asking the integrity service, the section unavailable.
    asked = [];
    answer = () => Promise.resolve(fixtureAssessment());
    const open = await generate({ format: 'pdf' });
    expect(asked).toEqual([]);
    expect(open.report?.integrity).toEqual(unavailable);
    expect(Buffer.from(open.reportData).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses a PDF with RESOURCE_EXHAUSTED when too many wait to be made', async () => {
    const full = new PdfMaker(1, 0);
    try {
      const store = new ScoringStore(db);
      await db.deleteFrom('report_documents').execute();
      const refusing = scoringHandlers(store, NO_ANALYZER, new ReportDocuments(store, full), integrityReader(integrity, log));
      const error = await refusing.generateReport(ReportRequest.fromPartial({ sessionId: SESSION, format: 'pdf' }), CONTEXT).catch((e: unknown) => e);
      expect(toStatus(error).code).toBe(status.RESOURCE_EXHAUSTED);
      expect(toStatus(error).details).toBe('0 report PDFs are waiting to be made already; retry shortly');
    } finally {
      await full.close();
    }
  });
});
