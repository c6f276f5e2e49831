import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { InterviewReport } from '../gen/report';
import { reportJson } from '../platform/contracts/report-json';

/** What the demo wrote: the report's PDF (fetched through its link) and its JSON. */
export interface ReportFiles {
  readonly pdf: string;
  readonly json: string;
  readonly pdfBytes: number;
}

/**
 * Fetches `url` (a report link: GET, no token but its own) as a person's browser would, trusting
 * `ca` (the mesh's CA certificate; none for a plaintext mesh), and answers the body.
 * @throws Error with the status and the server's message when it is not 200.
 */
export function fetchLink(url: string, ca: Buffer | undefined): Promise<Buffer> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const request = get(url, { ca, timeout: 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        if (response.statusCode === 200) resolve(body);
        else reject(new Error(`the report link answered ${String(response.statusCode)}: ${body.toString().trim()}`));
      });
    });
    request.on('timeout', () => request.destroy(new Error('the report link did not answer in 30 s')));
    request.on('error', reject);
  });
}

/** Writes `dir`/report.pdf and `dir`/report.json (the report's proto3 JSON, as report_json carries it). */
export async function writeReportFiles(dir: string, pdf: Buffer, report: InterviewReport): Promise<ReportFiles> {
  await fs.mkdir(dir, { recursive: true });
  const files = { pdf: path.join(dir, 'report.pdf'), json: path.join(dir, 'report.json') };
  await fs.writeFile(files.pdf, pdf);
  await fs.writeFile(files.json, `${JSON.stringify(JSON.parse(reportJson().stringify(report)), null, 2)}\n`);
  return { ...files, pdfBytes: pdf.length };
}
