/**
 * The report as a PDF people read (pdfkit): A4, DejaVu Sans embedded (pdfkit's built-in Helvetica
 * is not embedded), text selectable, charts as vector graphics (Vega's SVG through svg-to-pdfkit),
 * "page n of N" on every page. Pages: a cover with the candidate, the date and the four scores; the
 * expressions (timeline with the questions marked, distribution, face presence); the blink rate
 * against the conversational range; a page per answer; the insights. The timeline and blink pages
 * only for a report asked for with include_emotions. Last, the integrity section when the report has
 * one: the verdict, the risk at its peak and at the end, the policy, the events in a table and the
 * risk over time; or why there is no assessment.
 *
 * Reproducible: the same report gives the same bytes but for the creation date. pdfkit's /ID is a
 * hash of its info dictionary, creation date included; it is replaced by one of the report's content.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { Answer, IntegritySection, InterviewReport } from '../../../../gen/report';
import { reportJson } from '../../../../platform/contracts/report-json';
import { elapsed, EVENT_WORDS, missingAssessment, VERDICT_WORDS } from '../integrity-words';
import { CHART_FONT } from './chart-specs';
import { svgToPdf } from './svg-to-pdf';

/** DejaVu Sans from the npm package dejavu-fonts-ttf (Bitstream Vera licence, free to embed and redistribute). */
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONTS = { regular: path.join(FONT_DIR, 'DejaVuSans.ttf'), bold: path.join(FONT_DIR, 'DejaVuSans-Bold.ttf') };
/** Bumped whenever the layout changes, so that the /ID of a differently laid-out PDF differs too. */
export const PDF_LAYOUT_VERSION = 2;

const MARGIN = 56;
const INK = '#1a1a1a';
const MUTED = '#555555';
const ACCENT = '#1f4e79';

/** The charts the PDF shows, as SVG (render-charts.ts); those of pages left out may be absent. */
export interface ReportCharts {
  readonly scores: string;
  readonly expressionDistribution: string;
  readonly expressionTimeline?: string;
  readonly blinkRate?: string;
  /** Only for an assessed integrity section whose events account for its risk (integrityRiskChart). */
  readonly integrityRisk?: string;
}

export interface PdfOptions {
  /** With the expression timeline and the blink page. */
  readonly includeEmotions: boolean;
  /** The PDF's creation date (its info dictionary), the one part that differs between two makings. */
  readonly createdAt: Date;
}

/** The PDF of `report` (see module docs). */
export function renderReportPdf(report: InterviewReport, charts: ReportCharts, options: PdfOptions): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: false,
    lang: 'en',
    displayTitle: true,
    info: {
      Title: `Interview report ${report.sessionId}`,
      Author: 'interview mesh (scoring service)',
      Subject: `Scores, answers, expressions and insights of interview ${report.sessionId}`,
      CreationDate: options.createdAt,
    },
  });
  // pdfkit's /ID hashes the info dictionary, creation date included: one of the content instead.
  (doc as unknown as { _id: Buffer })._id = documentId(report, options.includeEmotions);
  doc.registerFont('regular', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);
  const done = collect(doc);

  cover(doc, report, charts);
  expressions(doc, report, charts, options.includeEmotions);
  if (options.includeEmotions && charts.blinkRate) blinks(doc, report, charts.blinkRate);
  report.answers.forEach((answer, i) => {
    answerPage(doc, answer, i, report.answers.length);
  });
  insights(doc, report);
  if (report.integrity) integrity(doc, report, report.integrity, charts.integrityRisk);
  pageNumbers(doc);
  doc.end();
  return done;
}

/** 16 bytes of SHA-256 over the report's canonical JSON and the layout: the same content, the same /ID. */
function documentId(report: InterviewReport, includeEmotions: boolean): Buffer {
  return createHash('sha256')
    .update(reportJson().stringify(report))
    .update(`layout ${PDF_LAYOUT_VERSION}; emotions ${String(includeEmotions)}`)
    .digest()
    .subarray(0, 16);
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });
}

const width = (doc: PDFKit.PDFDocument) => doc.page.width - MARGIN * 2;

function heading(doc: PDFKit.PDFDocument, text: string): void {
  doc.font('bold').fontSize(16).fillColor(ACCENT).text(text, MARGIN, MARGIN);
  doc.moveDown(0.6);
}

function label(doc: PDFKit.PDFDocument, text: string): void {
  doc.font('bold').fontSize(10).fillColor(INK).text(text);
}

function body(doc: PDFKit.PDFDocument, text: string, colour = INK): void {
  doc
    .font('regular')
    .fontSize(10)
    .fillColor(colour)
    .text(text, { width: width(doc) });
}

/** A chart's SVG at the cursor, `pts` wide; the cursor then below it. */
function chart(doc: PDFKit.PDFDocument, svg: string, pts: number): void {
  const height = svgToPdf(doc, svg, MARGIN, doc.y, pts, (bold) => (bold ? 'bold' : 'regular'), CHART_FONT);
  doc.y += height + 8;
  doc.x = MARGIN;
}

const dateOf = (date: Date | undefined): string => (date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not recorded');
const score = (value: number | undefined): string => (value ?? 0).toFixed(1);
const share = (value: number | undefined): string => (value === undefined ? 'n/a' : `${(value * 100).toFixed(1)}%`);

function cover(doc: PDFKit.PDFDocument, report: InterviewReport, charts: ReportCharts): void {
  doc.addPage();
  doc
    .font('bold')
    .fontSize(24)
    .fillColor(ACCENT)
    .text('Interview report', MARGIN, MARGIN + 20);
  doc.moveDown(0.8);
  const facts: [string, string][] = [
    ['Candidate', report.candidateId || 'not recorded'],
    ['Interview', report.sessionId],
    ['Date', dateOf(report.completedAt ?? report.startedAt)],
    ['Questions', `${report.answers.length} answered of ${report.totalQuestions || report.answers.length}`],
  ];
  for (const [name, value] of facts) {
    doc.font('bold').fontSize(11).fillColor(INK).text(`${name}: `, { continued: true }).font('regular').text(value);
  }
  doc.moveDown(1.2);
  const s = report.scores;
  const boxes: [string, number | undefined][] = [
    ['Technical', s?.technical],
    ['Communication', s?.communication],
    ['Emotion', s?.emotion],
    ['Overall', s?.overall],
  ];
  const top = doc.y;
  const boxWidth = width(doc) / 4;
  boxes.forEach(([name, value], i) => {
    const x = MARGIN + i * boxWidth;
    doc
      .font('bold')
      .fontSize(26)
      .fillColor(name === 'Overall' ? ACCENT : INK)
      .text(score(value), x, top, { width: boxWidth - 8, align: 'center' });
    doc
      .font('regular')
      .fontSize(10)
      .fillColor(MUTED)
      .text(`${name} score`, x, top + 34, { width: boxWidth - 8, align: 'center' });
  });
  doc.x = MARGIN;
  doc.y = top + 60;
  const w = report.weights;
  body(doc, `Scores are 0 to 100. Overall = ${w?.technical ?? 0} technical + ${w?.communication ?? 0} communication + ${w?.emotion ?? 0} emotion.`, MUTED);
  doc.moveDown(0.8);
  chart(doc, charts.scores, width(doc));
  label(doc, 'Summary');
  body(doc, report.feedback);
}

function expressions(doc: PDFKit.PDFDocument, report: InterviewReport, charts: ReportCharts, includeEmotions: boolean): void {
  doc.addPage();
  heading(doc, 'Expressions and face presence');
  const e = report.emotionSummary;
  const dominant = e === undefined || e.dominantEmotion === '' ? 'none' : e.dominantEmotion;
  body(
    doc,
    `${e?.sampleCount ?? 0} video frames analysed; a face in ${e?.faceDetectedCount ?? 0} (${share(e?.facePresentShare)}). ` +
      `Most frequent expression: ${dominant}. Positive or neutral expressions, weighted by the classifier's ` +
      `confidence: ${share(e?.positiveOrNeutralShare)}. Expressions are those of the FER-2013 classes; they say nothing ` +
      `reliable about competence.`,
  );
  doc.moveDown(0.6);
  if (includeEmotions && charts.expressionTimeline) {
    label(doc, 'Expression timeline (each frame; Q1, Q2, ... the questions, from one answer to the next)');
    chart(doc, charts.expressionTimeline, width(doc));
  } else if (!includeEmotions) {
    body(doc, 'The timeline of every frame is left out: the report was asked for without include_emotions.', MUTED);
    doc.moveDown(0.6);
  }
  label(doc, 'Expression distribution (frames)');
  chart(doc, charts.expressionDistribution, width(doc) * 0.85);
}

function blinks(doc: PDFKit.PDFDocument, report: InterviewReport, svg: string): void {
  doc.addPage();
  heading(doc, 'Blink rate');
  const b = report.blinks;
  const rate = b?.blinksPerMinute === undefined ? 'no rate (under 15 s of tracked frames)' : `${b.blinksPerMinute.toFixed(1)} blinks a minute`;
  body(
    doc,
    `${b?.blinkCount ?? 0} blinks over ${(b?.trackedSeconds ?? 0).toFixed(1)} s of frames whose eyes were tracked: ${rate}. ` +
      `The shaded band is the range of spontaneous blink rates in conversation, ${b?.normalLowPerMinute ?? 10.5} to ` +
      `${b?.normalHighPerMinute ?? 32.5} a minute (Doughty 2001). Blinks are counted from the eye aspect ratio over ` +
      `consecutive frames, so frames further apart than a blink lasts (about 0.1 to 0.4 s) miss blinks.`,
  );
  doc.moveDown(0.6);
  label(doc, 'Blinks a minute, in windows of 60 s');
  chart(doc, svg, width(doc));
  body(
    doc,
    'Doughty, M. J. (2001). Consideration of three types of spontaneous eyeblink activity in normal humans: during reading ' +
      'and video display terminal use, in primary gaze, and while in conversation. Optometry and Vision Science, 78(10), 712-725.',
    MUTED,
  );
}

function answerPage(doc: PDFKit.PDFDocument, a: Answer, index: number, count: number): void {
  doc.addPage();
  heading(doc, `Answer ${index + 1} of ${count}`);
  doc
    .font('bold')
    .fontSize(12)
    .fillColor(INK)
    .text(a.question, { width: width(doc) });
  doc
    .font('regular')
    .fontSize(9)
    .fillColor(MUTED)
    .text(`${a.category}${a.answeredAt ? `, answered ${dateOf(a.answeredAt)}` : ''}`);
  doc.moveDown(0.8);
  const rows: [string, string][] = [
    ['Relevance', score(a.relevanceScore)],
    ['Clarity', score(a.clarityScore)],
    ['Depth', score(a.depthScore)],
    ['Technical (0.4 relevance + 0.6 depth)', score(a.technicalScore)],
    ['Communication (0.7 clarity + 0.3 speaking rate)', score(a.communicationScore)],
    ['Speaking time', `${a.durationSeconds.toFixed(0)} s`],
    ['Words', String(a.wordCount)],
    ['Words per minute (120-160 is conversational)', a.wordsPerMinute === undefined ? 'not measurable' : a.wordsPerMinute.toFixed(1)],
    ['Filler words', String(a.fillerWordCount)],
  ];
  const top = doc.y;
  rows.forEach(([name, value], i) => {
    const y = top + i * 16;
    doc.font('regular').fontSize(10).fillColor(INK).text(name, MARGIN, y, { width: 300 });
    doc.font('bold').text(value, MARGIN + 310, y, { width: 120, align: 'right' });
  });
  doc.x = MARGIN;
  doc.y = top + rows.length * 16 + 12;
  label(doc, 'Keywords');
  body(doc, a.keywords.length ? a.keywords.join(', ') : 'none found');
  doc.moveDown(0.6);
  label(doc, 'Feedback');
  body(doc, a.feedback || 'none');
}

function insights(doc: PDFKit.PDFDocument, report: InterviewReport): void {
  doc.addPage();
  heading(doc, 'Insights');
  body(doc, 'Impact is the effect on the overall score, -1 to 1: negative lowered it, 0 is information.', MUTED);
  doc.moveDown(0.6);
  if (report.insights.length === 0) body(doc, 'No insight.');
  for (const insight of report.insights) {
    const sign = insight.impact > 0 ? '+' : '';
    doc
      .font('bold')
      .fontSize(10)
      .fillColor(ACCENT)
      .text(`${insight.category}  (impact ${sign}${insight.impact.toFixed(2)})`);
    body(doc, insight.description);
    for (const fact of insight.evidence) body(doc, `  - ${fact}`, MUTED);
    doc.moveDown(0.5);
  }
}

/** Risks are 0..1; shown with two decimals. */
const risk = (value: number): string => value.toFixed(2);

function integrity(doc: PDFKit.PDFDocument, report: InterviewReport, section: IntegritySection, riskChart: string | undefined): void {
  doc.addPage();
  heading(doc, 'Integrity');
  const missing = missingAssessment(section.status);
  if (missing !== undefined) {
    body(doc, missing);
    return;
  }
  const origin = report.startedAt?.getTime();
  const at = (ms: number) => (origin === undefined ? elapsed(ms, undefined) : `${elapsed(ms, origin)} into the interview`);
  const verdict = VERDICT_WORDS[section.verdict];
  doc
    .font('bold')
    .fontSize(14)
    .fillColor(verdict === 'clear' ? INK : ACCENT)
    .text(`Verdict: ${verdict}`);
  doc.moveDown(0.3);
  const facts: [string, string][] = [
    ['Risk at its peak', section.peakAtMs === undefined ? risk(section.peakRisk) : `${risk(section.peakRisk)} at ${at(section.peakAtMs)}`],
    ['Risk at the last analysed frame', risk(section.risk)],
    [
      'Frames analysed',
      section.lastFrameMs > section.firstFrameMs
        ? `${section.framesAnalyzed}, from ${at(section.firstFrameMs)} to ${at(section.lastFrameMs)}`
        : `${section.framesAnalyzed}, at ${at(section.firstFrameMs)}`,
    ],
    ['Events', String(section.eventsTotal)],
  ];
  for (const [name, value] of facts) {
    doc.font('bold').fontSize(10).fillColor(INK).text(`${name}: `, { continued: true }).font('regular').text(value);
  }
  doc.moveDown(0.4);
  const p = section.policy;
  body(
    doc,
    'Risk is 0 to 1. Each event adds its weight: risk = 1 - (1 - risk)(1 - weight). ' +
      (p
        ? `Without events it halves every ${p.halfLifeSeconds} s of the frames' own time. The verdict is the highest level it ` +
          `reached: review at ${risk(p.reviewThreshold)} or more, flagged at ${risk(p.flagThreshold)} or more. `
        : '') +
      'Events are what the integrity service saw on sampled video frames; a person should judge them before any conclusion.',
    MUTED,
  );
  doc.moveDown(0.6);
  if (riskChart) {
    label(doc, 'Risk over the interview (the dashed lines: review and flag thresholds)');
    chart(doc, riskChart, width(doc));
  }
  eventsTable(doc, section, origin);
}

/** The events, one row each, the header repeated on each page the table runs onto. */
function eventsTable(doc: PDFKit.PDFDocument, section: IntegritySection, origin: number | undefined): void {
  label(doc, origin === undefined ? 'Events (times UTC)' : 'Events (times since the interview started)');
  if (section.events.length === 0) {
    body(doc, 'No event raised the risk.');
    return;
  }
  if (section.eventsTotal > section.events.length) body(doc, `The first ${section.events.length} of ${section.eventsTotal} events.`, MUTED);
  doc.moveDown(0.3);
  // Column widths, points; the detail takes what is left.
  const columns: [string, number, 'left' | 'right'][] = [
    ['Time', 48, 'left'],
    ['Event', 104, 'left'],
    ['Frame', 42, 'right'],
    ['Weight', 42, 'right'],
    ['Risk after', 50, 'right'],
    ['Detail', width(doc) - 48 - 104 - 42 - 42 - 50 - 5 * 6, 'left'],
  ];
  const row = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(9);
    const height = Math.max(...cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i][1] })));
    if (doc.y + height > doc.page.height - MARGIN) {
      doc.addPage();
      if (!bold)
        row(
          columns.map(([name]) => name),
          true,
        );
    }
    const top = doc.y;
    let x = MARGIN;
    cells.forEach((cell, i) => {
      doc.fillColor(bold ? ACCENT : INK).text(cell, x, top, { width: columns[i][1], align: columns[i][2] });
      x += columns[i][1] + 6;
    });
    doc.x = MARGIN;
    doc.y = top + height + 4;
  };
  row(
    columns.map(([name]) => name),
    true,
  );
  for (const event of section.events) {
    row(
      [
        elapsed(event.confirmedAtMs, origin),
        EVENT_WORDS[event.kind],
        String(event.frameNumber),
        risk(event.weight),
        risk(event.riskAfter),
        event.startedAtMs && event.startedAtMs !== event.confirmedAtMs ? `${event.detail} (began ${elapsed(event.startedAtMs, origin)})`.trim() : event.detail,
      ],
      false,
    );
  }
}

/** "Page n of N" at the foot of every page (pages are buffered until now). */
function pageNumbers(doc: PDFKit.PDFDocument): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Below the bottom margin: lift it, or pdfkit would start a new page for the line.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(8)
      .fillColor(MUTED)
      .text(`Page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN / 2, { width: width(doc), align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}
