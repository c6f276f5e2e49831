/**
 * The report's PDF read as a person's viewer reads it, with Poppler's tools (Debian's poppler-utils,
 * installed by scripts/infra/ensure-poppler.sh when missing): the text a reader can select and
 * search (pdftotext) holds the scores and every question; every font is embedded (pdffonts); the
 * pages are A4 and numbered (pdfinfo, pdftotext); drawn as PNG (pdftoppm), the chart pages have
 * colour where the charts are. And it is reproducible: made twice, it differs only in its creation date.
 * The integrity section, last: the verdict, the risk's peak, the events in a table and the risk
 * chart; or why there is no assessment.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { IntegritySection, IntegrityStatus, InterviewReport } from '../../../src/gen/report';
import { assessedSection } from '../../../src/services/scoring/report/integrity-section';
import { PdfMaker } from '../../../src/services/scoring/report/pdf/pdf-maker';
import { fixtureAssessment, fixtureReport } from '../../support/report-fixture';
import { run, runScript } from '../../support/tools';

jest.setTimeout(120_000);

const CREATED = new Date('2025-03-14T10:00:00Z');

let tools: string;
let maker: PdfMaker;
let dir: string;
let report: InterviewReport;
let pdf: Buffer;

const tool = async (name: string, ...args: string[]) => (await run(path.join(tools, name), args, { maxBuffer: 16 * 1024 * 1024 })).stdout;

beforeAll(async () => {
  tools = runScript('scripts/infra/ensure-poppler.sh', [], { timeoutMs: 600_000 });
  maker = new PdfMaker();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'report-pdf-'));
  report = fixtureReport();
  pdf = await maker.make(report, { includeEmotions: true, createdAt: CREATED });
  await fs.writeFile(path.join(dir, 'report.pdf'), pdf);
});

afterAll(async () => {
  await maker.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** The text of pages `first`..`last` (1-based), as pdftotext extracts it for selection and search. */
const text = (first?: number, last?: number) =>
  tool('pdftotext', '-layout', ...(first ? ['-f', String(first), '-l', String(last ?? first)] : []), path.join(dir, 'report.pdf'), '-');

/** The text of a PDF made of `report` (into `name`.pdf), whitespace runs as one space. */
async function textOf(name: string, made: InterviewReport): Promise<string> {
  await fs.writeFile(path.join(dir, `${name}.pdf`), await maker.make(made, { includeEmotions: false, createdAt: CREATED }));
  return (await tool('pdftotext', '-layout', path.join(dir, `${name}.pdf`), '-')).replace(/[ \t]+/g, ' ');
}

/** The share of a page's pixels that are coloured (not white, grey or black: body text is never coloured), drawn at 50 dpi. */
async function colouredShare(page: number, file = 'report'): Promise<number> {
  await tool(
    'pdftoppm',
    '-r',
    '50',
    '-f',
    String(page),
    '-l',
    String(page),
    '-png',
    '-singlefile',
    path.join(dir, `${file}.pdf`),
    path.join(dir, `${file}-page-${page}`),
  );
  const { data, info } = await sharp(path.join(dir, `${file}-page-${page}.png`))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let coloured = 0;
  for (let i = 0; i < data.length; i += 3) {
    if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 20) coloured += 1;
  }
  return coloured / (info.width * info.height);
}

describe('the report PDF', () => {
  const pages = 1 + 1 + 1 + 4 + 1; // cover, expressions, blinks, four answers, insights

  it('is A4, titled, numbered "page n of N" on every page', async () => {
    const info = await tool('pdfinfo', path.join(dir, 'report.pdf'));
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    expect(info).toMatch(new RegExp(`Pages:\\s+${pages}\\b`));
    expect(info).toContain(`Title:           Interview report ${report.sessionId}`);
    for (let page = 1; page <= pages; page++) expect(await text(page)).toContain(`Page ${page} of ${pages}`);
  });

  it('embeds every font it uses (DejaVu Sans, no unembedded Helvetica)', async () => {
    const fonts = (await tool('pdffonts', path.join(dir, 'report.pdf'))).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) {
      expect(line).toMatch(/DejaVuSans/);
      // name, type (two words), encoding, then emb sub uni: every one "yes".
      expect(line).toMatch(/\s+yes\s+yes\s+yes\s+\d+\s+\d+\s*$/);
    }
  });

  it('has selectable text with the candidate, the date, the four scores and every question', async () => {
    const cover = await text(1);
    expect(cover).toContain(report.candidateId);
    expect(cover).toContain('2025-03-14 09:34 UTC');
    for (const value of ['71.4', '80.2', '83.7', '76.5']) expect(cover).toContain(value);
    for (const name of ['Technical score', 'Communication score', 'Emotion score', 'Overall score']) expect(cover).toContain(name);
    const all = (await text()).replace(/\s+/g, ' ');
    for (const answer of report.answers) {
      expect(all).toContain(answer.question);
      expect(all).toContain(answer.feedback);
    }
    for (const insight of report.insights) expect(all).toContain(insight.description);
  });

  it('shows the expression timeline with the questions marked, and the blink rate against Doughty 2001', async () => {
    const expressions = await text(2);
    expect(expressions).toContain('Expression timeline');
    for (const mark of ['Q1', 'Q2', 'Q3', 'Q4']) expect(expressions).toContain(mark);
    expect(expressions).toContain('seconds since the interview started');
    const blinks = (await text(3)).replace(/\s+/g, ' ');
    expect(blinks).toContain('Blink rate');
    expect(blinks).toContain('10.5-32.5 a minute (Doughty 2001)');
    expect(blinks).toContain('Doughty, M. J. (2001)');
  });

  it('draws its charts: the chart pages are not blank once rendered (pdftoppm)', async () => {
    // The scores on the cover, the expressions, the blink rate: each page has coloured marks.
    for (const page of [1, 2, 3]) expect({ page, coloured: (await colouredShare(page)) > 0.01 }).toEqual({ page, coloured: true });
    // An answer page is text: black and grey, but for its heading.
    expect(await colouredShare(4)).toBeLessThan(0.005);
  });

  it('is the same PDF made again but for its creation date, /ID included', async () => {
    const again = await maker.make(fixtureReport(), { includeEmotions: true, createdAt: new Date('2026-01-02T03:04:05Z') });
    // pdfkit writes the date as an object of its own: `40 0 obj\n(D:20250314100000Z)`.
    const creation = /\(D:\d{14}Z\)/;
    expect(creation.exec(pdf.toString('latin1'))?.[0]).toBe('(D:20250314100000Z)');
    expect(again.toString('latin1').replace(creation, '')).toBe(pdf.toString('latin1').replace(creation, ''));
    const id = /\/ID \[<([0-9a-f]+)> <\1>\]/;
    expect(id.exec(again.toString('latin1'))?.[1]).toBe(id.exec(pdf.toString('latin1'))?.[1]);
  });

  it('leaves the timeline and blink pages out without include_emotions', async () => {
    const summary = await maker.make(fixtureReport(), { includeEmotions: false, createdAt: CREATED });
    await fs.writeFile(path.join(dir, 'summary.pdf'), summary);
    expect(await tool('pdfinfo', path.join(dir, 'summary.pdf'))).toMatch(new RegExp(`Pages:\\s+${pages - 1}\\b`));
    const all = await tool('pdftotext', path.join(dir, 'summary.pdf'), '-');
    expect(all).toContain('left out: the report was asked for without include_emotions');
    expect(all).not.toContain('Blink rate');
    expect(all).toContain('Expression distribution');
  });

  it('makes a PDF of a report stored before it was typed (schema 1: no times, no blinks)', async () => {
    const old = InterviewReport.fromPartial({
      schemaVersion: 1,
      sessionId: 's-1',
      scores: { overall: 50 },
      answers: [{ question: 'Why?', feedback: 'Because.' }],
    });
    const made = await maker.make(old, { includeEmotions: true, createdAt: CREATED });
    await fs.writeFile(path.join(dir, 'old.pdf'), made);
    const all = await tool('pdftotext', path.join(dir, 'old.pdf'), '-');
    expect(all).toContain('Candidate: not recorded');
    expect(all).toContain('Why?');
  });
});

describe("the report PDF's integrity section", () => {
  it('shows the verdict, the risk at its peak and at the end, the policy, and every event in a table, last', async () => {
    const report = { ...fixtureReport(), integrity: assessedSection(fixtureAssessment()) };
    const all = await textOf('integrity', report);
    const page = all.slice(all.indexOf('Integrity\n'));
    const prose = page.replace(/\s+/g, ' ');
    expect(page).toContain('Verdict: flagged');
    expect(page).toContain('Risk at its peak: 0.75 at 1:15 into the interview');
    expect(page).toContain('Risk at the last analysed frame: 0.06');
    expect(page).toContain('Frames analysed: 120, from 0:01 into the interview to 3:59 into the interview');
    expect(prose).toContain('halves every 30 s');
    expect(prose).toContain('review at 0.40 or more, flagged at 0.70 or more');
    expect(page).toContain('Time Event Frame Weight Risk after Detail');
    // One row per event: time since the start, kind, frame, weight, risk after, detail (and when it began).
    expect(page).toMatch(/1:01 looking away 31 0\.25 0\.25 gaze left for 3\.0 s \(began 0:57\)/);
    expect(page).toMatch(/1:15 phone in view 38 0\.70 0\.75 cell phone 0\.62 at \(412, 300\)/);
    expect(page).toMatch(/2:31 several faces 76 0\.40 0\.48 2 faces \(0\.93, 0\.81\) \(began 2:27\)/);
    expect(page).toContain('Risk over the interview');
    // Its own last page, after the insights (7 pages without the blinks page), with the risk chart in colour.
    const info = await tool('pdfinfo', path.join(dir, 'integrity.pdf'));
    expect(info).toMatch(/Pages:\s+8\b/);
    expect(await tool('pdftotext', '-f', '8', '-l', '8', path.join(dir, 'integrity.pdf'), '-')).toContain('Verdict: flagged');
    // Its lines are thin: more colour than a page of text (under 0.005, above), less than the bar charts.
    expect(await colouredShare(8, 'integrity')).toBeGreaterThan(0.005);
  });

  it('says so, and nothing more, when the interview was not assessed or the integrity service did not answer', async () => {
    const notAssessed = await textOf('not-assessed', {
      ...fixtureReport(),
      integrity: IntegritySection.fromPartial({ status: IntegrityStatus.INTEGRITY_STATUS_NOT_ASSESSED }),
    });
    expect(notAssessed).toContain('Not assessed: the integrity service analysed no frame of this interview');
    expect(notAssessed).not.toContain('Verdict');
    const unavailable = await textOf('unavailable', {
      ...fixtureReport(),
      integrity: IntegritySection.fromPartial({ status: IntegrityStatus.INTEGRITY_STATUS_UNAVAILABLE }),
    });
    expect(unavailable).toContain('Unavailable: the integrity service did not answer when this report was made');
    expect(unavailable).not.toContain('Verdict');
  });

  it('runs a long table of events onto further pages, its header repeated', async () => {
    const assessment = fixtureAssessment();
    const many = { ...assessment, events: Array.from({ length: 60 }, () => assessment.events[1]), eventsTotal: 260 };
    const all = await textOf('many-events', { ...fixtureReport(), integrity: assessedSection(many) });
    expect(all).toContain('The first 60 of 260 events.');
    expect(all.match(/phone in view/g)).toHaveLength(60);
    expect(all.match(/Time Event Frame Weight Risk after Detail/g)?.length).toBeGreaterThan(1);
    // Not every event is there: no chart of a risk that cannot be redrawn.
    expect(all).not.toContain('Risk over the interview');
  });
});
