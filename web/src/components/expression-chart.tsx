import { useEffect, useRef, useState } from 'react';

import type { TimelinePoint } from '../api/types';

/** A point's label on the chart: proto3 JSON leaves false and '' out, so a point without face_detected had no face. */
function labelOf(point: TimelinePoint): string {
  if (!point.face_detected) return 'no face';
  return point.emotion === undefined || point.emotion === '' ? 'unrecognised' : point.emotion;
}

/**
 * The expression timeline as a Vega-Lite chart (the library the PDF report's charts use), loaded on
 * demand (its own bundle chunk) and rendered as SVG. Expressions evaluated by vega-interpreter, not
 * `new Function`, so a CSP without 'unsafe-eval' holds; no tooltip or default styles injected.
 * A text summary stands beside it for screen readers.
 */
export function ExpressionChart({ timeline }: { timeline: readonly TimelinePoint[] }) {
  const target = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string>();
  const start = timeline.length ? Number(timeline[0]?.timestamp_ms ?? 0) : 0;
  const values = timeline.map((p) => ({
    seconds: (Number(p.timestamp_ms) - start) / 1000,
    expression: labelOf(p),
    confidence: p.confidence ?? 0,
  }));

  useEffect(() => {
    if (!target.current || values.length === 0) return;
    let finalize: (() => void) | undefined;
    const element = target.current;
    void Promise.all([import('vega-embed'), import('vega-interpreter')])
      .then(async ([{ default: embed }, { expressionInterpreter }]) => {
        const result = await embed(
          element,
          {
            $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
            description: 'Expression over the interview',
            width: 'container',
            height: 180,
            data: { values },
            mark: { type: 'point', filled: true, size: 60 },
            encoding: {
              x: { field: 'seconds', type: 'quantitative', title: 'seconds into the interview' },
              y: { field: 'expression', type: 'nominal', title: null },
              color: { field: 'expression', type: 'nominal', legend: null },
              opacity: { field: 'confidence', type: 'quantitative', legend: null, scale: { domain: [0, 1], range: [0.4, 1] } },
            },
          },
          { renderer: 'svg', actions: false, ast: true, expr: expressionInterpreter, tooltip: false, defaultStyle: false },
        );
        finalize = () => {
          result.finalize();
        };
      })
      .catch((e: unknown) => {
        setFailed(e instanceof Error ? e.message : String(e));
      });
    return () => finalize?.();
    // `values` is derived from `timeline`: redrawn when the timeline changes.
  }, [timeline]);

  const counts = new Map<string, number>();
  for (const v of values) counts.set(v.expression, (counts.get(v.expression) ?? 0) + 1);
  const summary = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([e, n]) => `${e}: ${n}`)
    .join(', ');

  if (values.length === 0) return <p>No video frames were analysed in this interview.</p>;
  return (
    <figure className="chart">
      <div ref={target} className="chart-canvas" data-testid="expression-chart" />
      <figcaption>
        Expression per analysed frame ({values.length} frames): {summary}.{failed && ` (The chart could not be drawn: ${failed}.)`}
      </figcaption>
    </figure>
  );
}
