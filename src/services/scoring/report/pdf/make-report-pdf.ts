import { InterviewReport } from '../../../../gen/report';
import { blinkRateChart, expressionDistributionChart, expressionTimelineChart, integrityRiskChart, scoresChart } from './chart-specs';
import { renderChart } from './render-charts';
import { PdfOptions, renderReportPdf } from './report-pdf';

/** The report's charts (Vega) and then its PDF (pdfkit): what a PDF worker does for one report. */
export async function makeReportPdf(report: InterviewReport, options: PdfOptions): Promise<Buffer> {
  const timeline = options.includeEmotions ? expressionTimelineChart(report) : undefined;
  const integrityRisk = integrityRiskChart(report);
  const charts = {
    scores: await renderChart(scoresChart(report)),
    expressionDistribution: await renderChart(expressionDistributionChart(report)),
    expressionTimeline: timeline && (await renderChart(timeline)),
    blinkRate: options.includeEmotions ? await renderChart(blinkRateChart(report)) : undefined,
    integrityRisk: integrityRisk && (await renderChart(integrityRisk)),
  };
  return renderReportPdf(report, charts, options);
}
