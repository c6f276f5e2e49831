/**
 * A stand-in for an OpenTelemetry collector, for the benchmarks: an HTTP server on 127.0.0.1 (a free
 * port) that answers `POST /v1/traces` (OTLP over HTTP, protobuf: what the SDK's exporter sends by
 * default) with 200 and an empty ExportTraceServiceResponse, and counts what it got: the requests,
 * their bytes, the spans in them and the spans by name (read off the protobuf wire format: enough to
 * count, nothing decoded beyond the span's name).
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';

export interface OtlpSinkCounts {
  /** Export requests answered 200. */
  exports: number;
  /** Their bodies' bytes, as sent (compressed, if they were). */
  bytes: number;
  spans: number;
  spansByName: Map<string, number>;
  /** Requests that were not `POST /v1/traces` with a readable protobuf body (answered 404 or 400). */
  rejected: number;
}

export interface OtlpSink {
  /** `http://127.0.0.1:<port>`: OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends `/v1/traces`). */
  readonly endpoint: string;
  readonly counts: OtlpSinkCounts;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  const counts: OtlpSinkCounts = { exports: 0, bytes: 0, spans: 0, spansByName: new Map(), rejected: 0 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://sink').pathname;
      if (request.method !== 'POST' || path !== '/v1/traces') {
        counts.rejected++;
        response.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      try {
        const encoding = request.headers['content-encoding'];
        const names = spanNames(encoding === 'gzip' ? zlib.gunzipSync(body) : body);
        counts.exports++;
        counts.bytes += body.length;
        counts.spans += names.length;
        for (const name of names) counts.spansByName.set(name, (counts.spansByName.get(name) ?? 0) + 1);
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch {
        counts.rejected++;
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** The length-delimited fields numbered `field` of the protobuf message `message` (the others skipped). */
function* lengthDelimited(message: Buffer, field: number): Generator<Buffer> {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= message.length) throw new Error('truncated varint');
      const byte = message[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < message.length) {
    const key = varint();
    const wireType = key % 8;
    const number = Math.floor(key / 8);
    if (wireType === 0) varint();
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 2) {
      const length = varint();
      if (at + length > message.length) throw new Error('truncated field');
      if (number === field) yield message.subarray(at, at + length);
      at += length;
    } else throw new Error(`unexpected wire type ${wireType}`);
  }
}

/**
 * The names of the spans in an ExportTraceServiceRequest: resource_spans (1) → scope_spans (2) →
 * spans (2) → name (5), as opentelemetry-proto's trace.proto numbers them.
 */
function spanNames(request: Buffer): string[] {
  const names: string[] = [];
  for (const resourceSpans of lengthDelimited(request, 1)) {
    for (const scopeSpans of lengthDelimited(resourceSpans, 2)) {
      for (const span of lengthDelimited(scopeSpans, 2)) {
        let name = '';
        for (const value of lengthDelimited(span, 5)) name = value.toString('utf8');
        names.push(name);
      }
    }
  }
  return names;
}
