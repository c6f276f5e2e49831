/**
 * The report's charts as Vega-Lite specifications (rendered to SVG by render-charts.ts): data and
 * encodings only, no drawing. Times are seconds since the interview started; questions are marked
 * as the spans between one answer and the next (Q1 from the start to its answer).
 */
// vega-lite's types by their file: its package.json names them only under `exports`, which this
// project's module resolution (node10, CommonJS) does not read.
import type { TopLevelSpec } from 'vega-lite/build/index';
import { IntegrityStatus, type InterviewReport } from '../../../../gen/report';

/** The font the charts name; the PDF maps it to its embedded DejaVu Sans (report-pdf.ts). */
export const CHART_FONT = 'DejaVu Sans';
/** Frames drawn on the expression timeline at most: past this, one frame a bin (the bin's first). */
export const MAX_TIMELINE_POINTS = 1_200;

/** Expressions top to bottom, negative to positive; frames without a face last. */
export const EXPRESSION_ORDER = ['angry', 'disgust', 'fear', 'sad', 'surprise', 'neutral', 'happy', 'no face'] as const;
const EXPRESSION_COLOURS = ['#c0392b', '#8e44ad', '#7f8c8d', '#2c7fb8', '#f39c12', '#95a5a6', '#27ae60', '#d9d9d9'];

/** One chart: its name (for errors), its specification and its size on the page, points. */
export interface ChartSpec {
  readonly name: string;
  readonly spec: TopLevelSpec;
}

const CONFIG = {
  font: CHART_FONT,
  view: { stroke: '#cccccc' },
  axis: { labelFontSize: 9, titleFontSize: 10, titleFontWeight: 'normal' as const },
  legend: { labelFontSize: 9, titleFontSize: 10 },
  title: { fontSize: 11 },
};

/** The four scores as bars on 0..100. */
export function scoresChart(report: InterviewReport): ChartSpec {
  const s = report.scores;
  const values = [
    { score: 'Technical', value: s?.technical ?? 0 },
    { score: 'Communication', value: s?.communication ?? 0 },
    { score: 'Emotion', value: s?.emotion ?? 0 },
    { score: 'Overall', value: s?.overall ?? 0 },
  ];
  return {
    name: 'scores',
    spec: {
      width: 420,
      height: 120,
      config: CONFIG,
      data: { values },
      layer: [
        {
          mark: { type: 'bar', height: 18 },
          encoding: {
            y: { field: 'score', type: 'nominal', sort: null, title: null },
            x: { field: 'value', type: 'quantitative', scale: { domain: [0, 100] }, title: 'score (0-100)' },
            color: { condition: { test: "datum.score === 'Overall'", value: '#1f4e79' }, value: '#6f9fd8' },
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 9 },
          encoding: {
            y: { field: 'score', type: 'nominal', sort: null },
            x: { field: 'value', type: 'quantitative' },
            text: { field: 'value', type: 'quantitative', format: '.1f' },
          },
        },
      ],
    },
  };
}

/** Question spans on the interview's clock, seconds: Q<n> from the previous answer (or the start) to its own. */
export function questionSpans(report: InterviewReport, origin: number): { question: string; start: number; end: number }[] {
  const spans: { question: string; start: number; end: number }[] = [];
  let previous = origin;
  report.answers.forEach((a, i) => {
    if (!a.answeredAt) return;
    const end = a.answeredAt.getTime();
    spans.push({ question: `Q${i + 1}`, start: (previous - origin) / 1000, end: (end - origin) / 1000 });
    previous = end;
  });
  return spans;
}

/** Time zero of the charts: the interview's start, else its first frame. */
export function chartOrigin(report: InterviewReport): number {
  return report.startedAt?.getTime() ?? report.emotionSummary?.timeline.at(0)?.timestampMs ?? 0;
}

/** Layers marking the questions: alternating shaded spans and their labels at the top. */
function questionLayers(spans: { question: string; start: number; end: number }[]): TopLevelSpec[] {
  if (spans.length === 0) return [];
  const data = { values: spans.map((s, i) => ({ ...s, shade: i % 2 === 0 ? '#eef3f9' : '#dde7f3', middle: (s.start + s.end) / 2 })) };
  return [
    {
      data,
      mark: { type: 'rect', opacity: 0.35 },
      encoding: {
        x: { field: 'start', type: 'quantitative' },
        x2: { field: 'end' },
        // The colours themselves (no scale), so as not to share the expressions' colour scale.
        color: { field: 'shade', type: 'nominal', scale: null },
      },
    },
    {
      data,
      mark: { type: 'text', baseline: 'top', fontSize: 9, dy: 2, color: '#1f4e79' },
      encoding: { x: { field: 'middle', type: 'quantitative' }, y: { value: 0 }, text: { field: 'question' } },
    },
  ] as TopLevelSpec[];
}

/** Every frame's expression (or no face) over the interview, with the questions marked; undefined without frames. */
export function expressionTimelineChart(report: InterviewReport): ChartSpec | undefined {
  const timeline = report.emotionSummary?.timeline ?? [];
  if (timeline.length === 0) return undefined;
  const origin = chartOrigin(report);
  const step = Math.ceil(timeline.length / MAX_TIMELINE_POINTS);
  const values = timeline
    .filter((_, i) => i % step === 0)
    .map((p) => ({ t: (p.timestampMs - origin) / 1000, expression: p.faceDetected ? p.emotion || 'unknown' : 'no face', confidence: p.confidence }));
  return {
    name: 'expression timeline',
    spec: {
      width: 440,
      height: 210,
      config: CONFIG,
      layer: [
        ...questionLayers(questionSpans(report, origin)),
        {
          data: { values },
          mark: { type: 'tick', thickness: 2, size: 14 },
          encoding: {
            x: { field: 't', type: 'quantitative', title: 'seconds since the interview started' },
            y: { field: 'expression', type: 'nominal', sort: [...EXPRESSION_ORDER, 'unknown'], title: null },
            color: {
              field: 'expression',
              type: 'nominal',
              scale: { domain: [...EXPRESSION_ORDER], range: EXPRESSION_COLOURS },
              legend: null,
            },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Frames per expression and without a face: the distribution. */
export function expressionDistributionChart(report: InterviewReport): ChartSpec {
  const summary = report.emotionSummary;
  const counts = summary?.countsByEmotion ?? {};
  const values = EXPRESSION_ORDER.map((expression) => ({
    expression,
    frames: expression === 'no face' ? (summary?.sampleCount ?? 0) - (summary?.faceDetectedCount ?? 0) : (counts[expression] ?? 0),
  }));
  return {
    name: 'expression distribution',
    spec: {
      width: 440,
      height: 150,
      config: CONFIG,
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'expression', type: 'nominal', sort: [...EXPRESSION_ORDER], title: null },
        x: { field: 'frames', type: 'quantitative', title: 'frames', axis: { tickMinStep: 1, format: 'd' } },
        color: { field: 'expression', type: 'nominal', scale: { domain: [...EXPRESSION_ORDER], range: EXPRESSION_COLOURS }, legend: null },
      },
    },
  };
}

/** Blinks a minute in each window, against the normal conversational range shaded; the questions marked. */
export function blinkRateChart(report: InterviewReport): ChartSpec {
  const blinks = report.blinks;
  const origin = chartOrigin(report);
  const low = blinks?.normalLowPerMinute ?? 0;
  const high = blinks?.normalHighPerMinute ?? 0;
  const windows = (blinks?.windows ?? []).map((w) => ({
    t: ((w.startMs + w.endMs) / 2 - origin) / 1000,
    start: (w.startMs - origin) / 1000,
    end: (w.endMs - origin) / 1000,
    rate: w.blinksPerMinute,
  }));
  const lastAnswer = report.answers.at(-1)?.answeredAt?.getTime();
  const interviewSeconds = lastAnswer === undefined ? 0 : (lastAnswer - origin) / 1000;
  const span = Math.max(1, interviewSeconds, ...windows.map((w) => w.end));
  const top = Math.max(40, ...windows.map((w) => w.rate + 5));
  const xScale = { domain: [0, span] };
  const yScale = { domain: [0, top] };
  return {
    name: 'blink rate',
    spec: {
      width: 440,
      height: 210,
      config: CONFIG,
      layer: [
        // Without a rate there is nothing to set against the questions.
        ...(windows.length > 0 ? questionLayers(questionSpans(report, origin)) : []),
        {
          data: { values: [{ low, high, from: 0, to: span, label: `normal in conversation, ${low}-${high} a minute (Doughty 2001)` }] },
          layer: [
            {
              mark: { type: 'rect', color: '#27ae60', opacity: 0.15 },
              encoding: {
                x: { field: 'from', type: 'quantitative', scale: xScale },
                x2: { field: 'to' },
                y: { field: 'low', type: 'quantitative', scale: yScale },
                y2: { field: 'high' },
              },
            },
            {
              mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -2, fontSize: 9, color: '#1e8449' },
              encoding: { x: { value: 0 }, y: { field: 'high', type: 'quantitative', scale: yScale }, text: { field: 'label' } },
            },
          ],
        },
        {
          data: { values: windows },
          layer: [{ mark: { type: 'line', color: '#1f4e79' } }, { mark: { type: 'point', filled: true, color: '#1f4e79', size: 30 } }],
          encoding: {
            x: { field: 't', type: 'quantitative', scale: xScale, title: 'seconds since the interview started' },
            y: { field: 'rate', type: 'quantitative', scale: yScale, title: 'blinks a minute' },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

/** Points drawn on each stretch of decay between two events of the integrity risk chart. */
const DECAY_POINTS = 24;
/** How far the risk the events and half-life account for may be from the one the integrity service reports. */
const RISK_TOLERANCE = 0.005;

/**
 * The integrity risk over the interview, redrawn from the events and the policy: it rises by each
 * event's weight (risk = 1 - (1 - risk)(1 - weight)) and halves every half-life between them,
 * with the review and flag thresholds as dashed lines and each event a point. Undefined unless the
 * section is assessed over more than one instant, holds every event, and the redrawing agrees with what the integrity service
 * reported (each event's risk after it and the risk at the last frame): a chart that is not the
 * service's own risk is not drawn.
 */
export function integrityRiskChart(report: InterviewReport): ChartSpec | undefined {
  const section = report.integrity;
  const policy = section?.policy;
  if (section?.status !== IntegrityStatus.INTEGRITY_STATUS_ASSESSED || !policy || policy.halfLifeSeconds <= 0) return undefined;
  // A single instant has no course to draw; an incomplete list of events, not the service's risk.
  if (section.lastFrameMs <= section.firstFrameMs || section.eventsTotal !== section.events.length) return undefined;
  const origin = report.startedAt?.getTime() ?? section.firstFrameMs;
  const decay = (value: number, fromMs: number, toMs: number) => value * 0.5 ** ((toMs - fromMs) / 1000 / policy.halfLifeSeconds);
  const line: { i: number; t: number; risk: number }[] = [];
  const add = (ms: number, value: number) => line.push({ i: line.length, t: (ms - origin) / 1000, risk: value });
  let value = 0;
  let since = section.firstFrameMs;
  add(since, 0);
  const stretch = (toMs: number) => {
    for (let k = 1; k <= DECAY_POINTS; k++) add(since + ((toMs - since) * k) / DECAY_POINTS, decay(value, since, since + ((toMs - since) * k) / DECAY_POINTS));
  };
  for (const event of section.events) {
    if (event.confirmedAtMs < since) return undefined;
    if (value > 0) stretch(event.confirmedAtMs);
    const before = decay(value, since, event.confirmedAtMs);
    value = 1 - (1 - before) * (1 - event.weight);
    if (Math.abs(value - event.riskAfter) > RISK_TOLERANCE) return undefined;
    value = event.riskAfter;
    since = event.confirmedAtMs;
    add(since, before);
    add(since, value);
  }
  if (section.lastFrameMs < since) return undefined;
  stretch(section.lastFrameMs);
  if (Math.abs(decay(value, since, section.lastFrameMs) - section.risk) > RISK_TOLERANCE) return undefined;
  const events = section.events.map((e) => ({ t: (e.confirmedAtMs - origin) / 1000, risk: e.riskAfter }));
  const thresholds = [
    { level: 'review', risk: policy.reviewThreshold },
    { level: 'flagged', risk: policy.flagThreshold },
  ];
  const x = { field: 't', type: 'quantitative' as const, title: 'seconds since the interview started' };
  const y = { field: 'risk', type: 'quantitative' as const, scale: { domain: [0, 1] }, title: 'risk (0-1)' };
  return {
    name: 'integrity risk',
    spec: {
      width: 440,
      height: 170,
      config: CONFIG,
      layer: [
        {
          data: { values: thresholds },
          mark: { type: 'rule', strokeDash: [4, 3], color: '#c0392b', opacity: 0.7 },
          encoding: { y },
        },
        {
          data: { values: thresholds },
          mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 2, dy: -2, fontSize: 9, color: '#c0392b' },
          encoding: { x: { value: 0 }, y, text: { field: 'level' } },
        },
        { data: { values: line }, mark: { type: 'line', color: '#1f4e79' }, encoding: { x, y, order: { field: 'i', type: 'quantitative' } } },
        { data: { values: events }, mark: { type: 'point', filled: true, color: '#c0392b', size: 30 }, encoding: { x, y } },
      ],
    } as TopLevelSpec,
  };
}
