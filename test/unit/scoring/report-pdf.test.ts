/**
 * The report's PDF read as a person's viewer reads it, with Poppler's tools (Debian's poppler-utils,
 * installed by scripts/infra/ensure-poppler.sh when missing): the text a reader can select and
 * search (pdftotext) holds the scores and every question; every font is embedded (pdffonts); the
 * pages are A4 and numbered (pdfinfo, pdftotext); drawn as PNG (pdftoppm), the chart pages have
 * colour where the charts are. And it is reproducible: made twice, it differs only in its creation date.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { InterviewReport } from '../../../src/gen/report';
import { PdfMaker } from '../../../src/services/scoring/report/pdf/pdf-maker';
import { fixtureReport } from '../../support/report-fixture';
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

/** The share of a page's pixels that are coloured (not white, grey or black: body text is never coloured), drawn at 50 dpi. */
async function colouredShare(page: number): Promise<number> {
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
    path.join(dir, 'report.pdf'),
    path.join(dir, `page-${page}`),
  );
  const { data, info } = await sharp(path.join(dir, `page-${page}.png`))
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
