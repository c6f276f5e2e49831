/**
 * An SVG drawn into a pdfkit document as vector graphics and text, by svg-to-pdfkit (MIT, which
 * ships no types: the one call used is typed here).
 */
// svg-to-pdfkit is CommonJS without types; its export is the drawing function.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SVGtoPDF = require('svg-to-pdfkit') as (
  doc: PDFKit.PDFDocument,
  svg: string,
  x: number,
  y: number,
  options: {
    width: number;
    height: number;
    preserveAspectRatio: string;
    fontCallback: (family: string, bold: boolean, italic: boolean) => string;
    warningCallback: (warning: string) => void;
  },
) => void;

/**
 * Draws `svg` at (x, y), `width` points wide, its aspect kept; returns its height in points. Text
 * is set in the document's fonts (`font(bold)`, registered names), never pdfkit's Helvetica, which
 * is not embedded.
 * @throws Error for an SVG without a width and height, or one svg-to-pdfkit warns about.
 */
export function svgToPdf(doc: PDFKit.PDFDocument, svg: string, x: number, y: number, width: number, font: (bold: boolean) => string, family: string): number {
  const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!size) throw new Error('the chart has no width and height');
  const height = (Number(size[2]) / Number(size[1])) * width;
  SVGtoPDF(doc, svg, x, y, {
    width,
    height,
    preserveAspectRatio: 'xMinYMin meet',
    fontCallback: (name, bold) => {
      if (!name.includes(family)) throw new Error(`the chart asks for font ${name}, not ${family}`);
      return font(bold);
    },
    warningCallback: (warning) => {
      throw new Error(`the chart's SVG: ${warning}`);
    },
  });
  return height;
}
