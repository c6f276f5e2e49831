/**
 * Vega-Lite specifications to SVG, by Vega's own renderer (no canvas, no browser). Vega and
 * Vega-Lite are ES modules with top-level await (vega-canvas looks for node-canvas), which
 * CommonJS cannot require: they are imported, once, where this runs (the PDF workers, under tsx).
 */
import type { ChartSpec } from './chart-specs';

type Vega = typeof import('vega');
// Typed by its file (see chart-specs.ts), imported by its package name.
type VegaLite = typeof import('vega-lite/build/index');
const VEGA_LITE = 'vega-lite';

let libraries: Promise<{ vega: Vega; vegaLite: VegaLite }> | undefined;

function load(): Promise<{ vega: Vega; vegaLite: VegaLite }> {
  libraries ??= Promise.all([import('vega'), import(VEGA_LITE) as Promise<VegaLite>]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return libraries;
}

/** The chart as an SVG document (its size: the spec's width and height plus axes and labels, pixels). */
export async function renderChart(chart: ChartSpec): Promise<string> {
  const { vega, vegaLite } = await load();
  try {
    const compiled = vegaLite.compile(chart.spec, { logger: strictLogger(chart.name) }).spec;
    // renderer none: the scenegraph is built for toSVG alone. The specs carry their data inline.
    const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  } catch (error) {
    throw new Error(`the ${chart.name} chart could not be rendered: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Vega-Lite's logger, with a warning (a conflicting scale, a field it cannot find) as an error: a chart is right or not made. */
function strictLogger(name: string) {
  let level = 0;
  const logger = {
    level(value?: number) {
      if (value === undefined) return level;
      level = value;
      return logger;
    },
    error(...args: readonly unknown[]): never {
      throw new Error(`Vega-Lite, ${name} chart: ${args.map(String).join(' ')}`);
    },
    warn(...args: readonly unknown[]): never {
      throw new Error(`Vega-Lite, ${name} chart: ${args.map(String).join(' ')}`);
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}
