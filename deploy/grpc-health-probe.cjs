#!/usr/bin/env node
// Kubernetes' exec probe of a mesh service: grpc.health.v1.Health/Check over TLS, because the
// kubelet's own gRPC probes speak plaintext only and every port of the mesh is TLS.
//
//   node deploy/grpc-health-probe.cjs <workload> <port> [<service>]
//
// It dials 127.0.0.1:<port> trusting MESH_TLS_DIR/ca.crt, verifies that the server's certificate
// names <workload> (its DNS name), presents <workload>'s own certificate (MESH_TLS_DIR/<workload>.crt
// and .key: internal services require a client certificate of the mesh's CA, and health is open to
// any), and asks for <service> ("" or none: the whole server). Exit 0 when SERVING; 1 otherwise,
// with the status or the error on stderr. With MESH_INSECURE_PLAINTEXT=true (development only) it
// dials plaintext. Plain CommonJS and grpc-js alone (no tsx, no .proto parsing): a probe runs every
// few seconds, so it starts in a fraction of a second. PROBE_DEADLINE_MS (default 4000) bounds the
// call; set the probe's timeoutSeconds above it.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');

const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest { string service = 1; }, encoded by hand. */
function encodeRequest(service) {
  const name = Buffer.from(service, 'utf8');
  if (name.length > 127) throw new Error('the service name is longer than this probe encodes (127 bytes)');
  return name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, name.length]), name]);
}

/** HealthCheckResponse { ServingStatus status = 1; }: the status's name (UNKNOWN when absent, proto3's default). */
function decodeResponse(bytes) {
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    if (bytes[i] === 0x08) return STATUS[bytes[i + 1]] ?? `status ${bytes[i + 1]}`;
  }
  return 'UNKNOWN';
}

function credentials(workload) {
  if (process.env.MESH_INSECURE_PLAINTEXT === 'true') return { credentials: grpc.credentials.createInsecure(), options: {} };
  const dir = process.env.MESH_TLS_DIR || path.join(process.env.DATA_DIR || '.data', 'tls');
  const read = (file) => fs.readFileSync(path.join(dir, file));
  return {
    credentials: grpc.credentials.createSsl(read('ca.crt'), read(`${workload}.key`), read(`${workload}.crt`)),
    options: { 'grpc.ssl_target_name_override': workload, 'grpc.default_authority': workload },
  };
}

function main() {
  const [workload, port, service = ''] = process.argv.slice(2);
  if (!workload || !/^\d+$/.test(port ?? '')) {
    console.error('usage: grpc-health-probe.cjs <workload> <port> [<service>]');
    process.exit(2);
  }
  const { credentials: channelCredentials, options } = credentials(workload);
  const client = new grpc.Client(`127.0.0.1:${port}`, channelCredentials, options);
  const deadline = Date.now() + Number(process.env.PROBE_DEADLINE_MS || 4000);
  client.makeUnaryRequest('/grpc.health.v1.Health/Check', encodeRequest, decodeResponse, service, new grpc.Metadata(), { deadline }, (error, status) => {
    client.close();
    if (error) {
      console.error(`${workload} ${service || '(server)'}: ${error.message}`);
      process.exit(1);
    }
    if (status !== 'SERVING') console.error(`${workload} ${service || '(server)'}: ${status}`);
    process.exit(status === 'SERVING' ? 0 : 1);
  });
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
