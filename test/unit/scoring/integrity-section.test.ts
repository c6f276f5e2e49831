/**
 * The report's integrity section from the integrity service's answer (readIntegritySection): an
 * assessment's values carried over unchanged (times as epoch milliseconds, enums by their meaning),
 * NOT_FOUND as not assessed and a service that does not answer as unavailable, with nothing else
 * set; the risk chart drawn only when the events account for the reported risk.
 */
import { Assessment, EventKind, IntegrityEvent, Verdict } from '../../../src/gen/integrity';
import { IntegrityEventKind, IntegritySection, IntegrityStatus, IntegrityVerdict, InterviewReport } from '../../../src/gen/report';
import { reportJson } from '../../../src/platform/contracts/report-json';
import { CancelledError, NotFoundError, PermissionDeniedError, TimeoutError, UnavailableError } from '../../../src/platform/errors/domain-errors';
import { Logger, silentLogger } from '../../../src/platform/log/logger';
import { assessedSection, readIntegritySection } from '../../../src/services/scoring/report/integrity-section';
import { integrityRiskChart } from '../../../src/services/scoring/report/pdf/chart-specs';
import { FIXTURE_START_MS, fixtureAssessment, fixtureReport } from '../../support/report-fixture';

const SESSION = '5b7f3c8e-2d4a-4e6b-9c1d-0a2b3c4d5e6f';

/** A logger that keeps the level and message of each line. */
function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = silentLogger();
  const keep = (level: string) => (_fields: unknown, message?: string) => {
    lines.push(`${level}: ${message ?? ''}`);
  };
  return { log: Object.assign(Object.create(log) as Logger, { warn: keep('warn'), error: keep('error'), info: keep('info') }), lines };
}

const reading = (outcome: () => Promise<Assessment>) => readIntegritySection(() => outcome(), SESSION, silentLogger());

describe('the integrity section of an assessment', () => {
  it('carries every value of the assessment, times as milliseconds since the epoch, verdict and kinds by meaning', () => {
    const assessment = fixtureAssessment();
    const section = assessedSection(assessment);
    expect(section).toEqual<IntegritySection>({
      status: IntegrityStatus.INTEGRITY_STATUS_ASSESSED,
      verdict: IntegrityVerdict.INTEGRITY_VERDICT_FLAGGED,
      risk: assessment.risk,
      peakRisk: assessment.peakRisk,
      peakAtMs: FIXTURE_START_MS + 75_000,
      framesAnalyzed: 120,
      firstFrameMs: FIXTURE_START_MS + 1_000,
      lastFrameMs: FIXTURE_START_MS + 239_000,
      events: [
        {
          kind: IntegrityEventKind.INTEGRITY_EVENT_KIND_LOOKING_AWAY,
          startedAtMs: FIXTURE_START_MS + 57_000,
          confirmedAtMs: FIXTURE_START_MS + 61_000,
          frameNumber: 31,
          weight: 0.25,
          riskAfter: 0.25,
          detail: 'gaze left for 3.0 s',
        },
        {
          kind: IntegrityEventKind.INTEGRITY_EVENT_KIND_PHONE_IN_VIEW,
          startedAtMs: FIXTURE_START_MS + 75_000,
          confirmedAtMs: FIXTURE_START_MS + 75_000,
          frameNumber: 38,
          weight: 0.7,
          riskAfter: assessment.events[1].riskAfter,
          detail: 'cell phone 0.62 at (412, 300)',
        },
        {
          kind: IntegrityEventKind.INTEGRITY_EVENT_KIND_MULTIPLE_FACES,
          startedAtMs: FIXTURE_START_MS + 147_000,
          confirmedAtMs: FIXTURE_START_MS + 151_000,
          frameNumber: 76,
          weight: 0.4,
          riskAfter: assessment.events[2].riskAfter,
          detail: '2 faces (0.93, 0.81)',
        },
      ],
      eventsTotal: 3,
      policy: { halfLifeSeconds: 30, reviewThreshold: 0.4, flagThreshold: 0.7 },
    });
    expect(section.peakRisk).toBeCloseTo(0.754, 3);
  });

  it("maps each of the integrity service's verdicts and event kinds to the report's of the same name", () => {
    for (const verdict of [Verdict.VERDICT_CLEAR, Verdict.VERDICT_REVIEW, Verdict.VERDICT_FLAGGED]) {
      expect(IntegrityVerdict[assessedSection(Assessment.fromPartial({ verdict })).verdict]).toBe(`INTEGRITY_${Verdict[verdict]}`);
    }
    const kinds = Object.values(EventKind)
      .filter((k): k is EventKind => typeof k === 'number')
      .filter((k) => k !== EventKind.EVENT_KIND_UNSPECIFIED && k !== EventKind.UNRECOGNIZED);
    expect(kinds).toHaveLength(8);
    for (const kind of kinds) {
      const mapped = assessedSection(Assessment.fromPartial({ events: [IntegrityEvent.fromPartial({ kind })] })).events[0].kind;
      expect(IntegrityEventKind[mapped]).toBe(`INTEGRITY_${EventKind[kind]}`);
    }
  });

  it('leaves the peak time unset when the risk never rose, and reads as proto3 JSON in the report', () => {
    const quiet = assessedSection(
      Assessment.fromPartial({
        verdict: Verdict.VERDICT_CLEAR,
        framesAnalyzed: 10,
        firstFrameAt: new Date(FIXTURE_START_MS),
        lastFrameAt: new Date(FIXTURE_START_MS + 9_000),
        policy: { halfLifeSeconds: 30, reviewThreshold: 0.4, flagThreshold: 0.7 },
      }),
    );
    expect(quiet.peakAtMs).toBeUndefined();
    const json = reportJson().toValue(InterviewReport.fromPartial({ sessionId: SESSION, integrity: quiet }));
    expect(json).toEqual({
      sessionId: SESSION,
      integrity: {
        status: 'INTEGRITY_STATUS_ASSESSED',
        verdict: 'INTEGRITY_VERDICT_CLEAR',
        framesAnalyzed: '10',
        firstFrameMs: String(FIXTURE_START_MS),
        lastFrameMs: String(FIXTURE_START_MS + 9_000),
        policy: { halfLifeSeconds: 30, reviewThreshold: 0.4, flagThreshold: 0.7 },
      },
    });
    expect(reportJson().parse(json).integrity).toEqual(quiet);
  });
});

describe('readIntegritySection', () => {
  it('is the assessment when the integrity service gives one', async () => {
    expect(await reading(() => Promise.resolve(fixtureAssessment()))).toEqual(assessedSection(fixtureAssessment()));
  });

  it('says not assessed, and nothing else, when the service analysed no frame of the session (NOT_FOUND)', async () => {
    const section = await reading(() => Promise.reject(new NotFoundError(`no frame of session ${SESSION} was analysed`)));
    expect(section).toEqual(IntegritySection.fromPartial({ status: IntegrityStatus.INTEGRITY_STATUS_NOT_ASSESSED }));
    expect(reportJson().toValue(InterviewReport.fromPartial({ integrity: section }))).toEqual({ integrity: { status: 'INTEGRITY_STATUS_NOT_ASSESSED' } });
  });

  it('says unavailable, and nothing else, when the service does not answer (UNAVAILABLE, the deadline, the breaker open), logged as a warning', async () => {
    for (const error of [
      new UnavailableError('the integrity service is unavailable; retry shortly'),
      new TimeoutError('the integrity service did not answer in time'),
      new UnavailableError('integrity is unavailable (circuit open); retry later'),
    ]) {
      const { log, lines } = recordingLogger();
      const section = await readIntegritySection(() => Promise.reject(error), SESSION, log);
      expect(section).toEqual(IntegritySection.fromPartial({ status: IntegrityStatus.INTEGRITY_STATUS_UNAVAILABLE }));
      expect(lines).toEqual(['warn: the integrity service did not answer: the report says its integrity section is unavailable']);
    }
  });

  it('says unavailable too when the service fails otherwise (a call policy without scoring, a bug), logged as an error', async () => {
    for (const error of [new PermissionDeniedError('scoring may not call GetAssessment'), new Error('integrity failed with INTERNAL: boom')]) {
      const { log, lines } = recordingLogger();
      expect((await readIntegritySection(() => Promise.reject(error), SESSION, log)).status).toBe(IntegrityStatus.INTEGRITY_STATUS_UNAVAILABLE);
      expect(lines).toEqual(['error: the integrity service failed: the report says its integrity section is unavailable']);
    }
  });

  it('gives up with the caller (CancelledError): there is no report to give', async () => {
    await expect(reading(() => Promise.reject(new CancelledError('cancelled')))).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('the integrity risk chart', () => {
  const withSection = (section: IntegritySection) => ({ ...fixtureReport(2), integrity: section });

  it('redraws the risk from the events and the half-life: it meets each event`s risk after it and the risk at the last frame', () => {
    const chart = integrityRiskChart(withSection(assessedSection(fixtureAssessment())));
    expect(chart).toBeDefined();
    const layers = (chart?.spec as { layer: { data: { values: { t: number; risk: number }[] } }[] }).layer;
    const line = layers[2].data.values;
    expect(line[0]).toMatchObject({ t: 1, risk: 0 });
    expect(line.at(-1)?.t).toBe(239);
    expect(line.at(-1)?.risk).toBeCloseTo(fixtureAssessment().risk, 9);
    expect(Math.max(...line.map((p) => p.risk))).toBeCloseTo(fixtureAssessment().peakRisk, 9);
    expect(layers[3].data.values.map((p) => p.t)).toEqual([61, 75, 151]);
  });

  it('is not drawn when the events do not account for the reported risk, when some events are left out, for a single frame, or without an assessment', () => {
    const assessment = fixtureAssessment();
    const off = assessedSection({ ...assessment, risk: assessment.risk + 0.1 });
    expect(integrityRiskChart(withSection(off))).toBeUndefined();
    const jump = assessedSection({ ...assessment, events: assessment.events.map((e, i) => (i === 1 ? { ...e, riskAfter: 0.9 } : e)) });
    expect(integrityRiskChart(withSection(jump))).toBeUndefined();
    expect(integrityRiskChart(withSection(assessedSection({ ...assessment, eventsTotal: 250 })))).toBeUndefined();
    // One analysed frame: an instant, no course over time.
    const instant = fixtureAssessment(1);
    expect(instant.events).toEqual([]);
    expect(integrityRiskChart(withSection(assessedSection(instant)))).toBeUndefined();
    expect(integrityRiskChart(withSection(IntegritySection.fromPartial({ status: IntegrityStatus.INTEGRITY_STATUS_UNAVAILABLE })))).toBeUndefined();
    expect(integrityRiskChart(fixtureReport(2))).toBeUndefined();
  });
});
