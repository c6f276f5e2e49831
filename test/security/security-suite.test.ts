/**
 * The security suite: test/security/attacks.py, an independent Python client (grpcio, the generated
 * client in clients/python/gen, PyJWT to forge tokens with the mesh's own signing key, psycopg to
 * read the tables, cryptography for a certificate of a CA of its own), attacks the running mesh
 * (`npm start`'s services in one process, on PostgreSQL and RabbitMQ, over TLS with the tests' CA:
 * MESH_TLS_DIR is TEST_TLS_DIR): plaintext on every port, internal ports without a certificate of
 * the mesh's CA, workloads' certificates on RPCs the call policy does not allow them, forged and
 * replayed tokens, another candidate's and an interviewer's calls on an interview, report links
 * turned against another interview, altered, forged or expired, inputs past each
 * bound, rogue registrations in the mesh's Consul (test/security/consul_attacks.py), forged events
 * on its RabbitMQ vhost with other services' broker users (test/security/broker_attacks.py, with
 * pika), the gateway's REST and WebSocket over HTTPS and WSS (test/security/gateway_attacks.py, with
 * websockets; run before the floods, which leave this address refused) and floods past each rate limit. The mesh registers every service in a Consul agent of this test's own with ACLs
 * on, default deny (test/support/consul-agent.ts), each with its own token provisioned as
 * `npm run consul:provision` does, so the Consul attacks face a deployment's ACLs. It prints a
 * table of what each attack got (also written to .cache/security-table.md), checks that refused
 * calls wrote nothing, and exits 1 when any row is not as expected. This test runs it, shows the
 * table and names every row that must be in it; first, it holds the suite's Python to the
 * TypeScript's bar: ruff (lint and format) and mypy --strict, pinned in
 * scripts/infra/python-tools.txt, configured in test/security/pyproject.toml.
 */
import path from 'node:path';
import { SERVICE_NAMES } from '../../src/mesh/registry';
import { serviceVariable } from '../../src/platform/config/mesh-config';
import { ConsulAgent, startConsulAgent } from '../support/consul-agent';
import { freePort, request } from '../support/gateway-client';
import { MeshProcess, startMeshProcess } from '../support/mesh-process';
import { TEST_INVITATION_CODE } from '../support/identity';
import { TEST_TLS_DIR } from '../support/tls';
import { runCaptured, runScript } from '../support/tools';
import { waitFor } from '../support/wait';

jest.setTimeout(900_000);

const REPO = path.resolve(__dirname, '../..');
/** The one origin the gateway's CORS allow-list holds (GATEWAY_CORS_ORIGINS): the suite's control preflight. */
const GATEWAY_ORIGIN = 'https://app.example';

/** Every row the table must hold, as [attack, RPC], each with the verdict `ok`. */
const ATTACKS: readonly (readonly [attack: string, rpc: string])[] = [
  ['plaintext to the interview port', 'StartInterview'],
  ['plaintext to the auth port', 'Register'],
  ['plaintext to the emotion port', 'AnalyzeFrame'],
  ['plaintext to the scoring port', 'GenerateReport'],
  ['plaintext to the notifier port', 'Health/Check'],
  ...['AnalyzeFrame', 'GenerateReport', 'Health/Check'].map((rpc) => ['no client certificate at an internal port', rpc] as const),
  ...['AnalyzeFrame', 'GenerateReport'].map((rpc) => ['client certificate of another CA, naming the interview service', rpc] as const),
  ["auth's certificate (a service the policy names nowhere)", 'AnalyzeFrame'],
  ...['AnalyzeBatch', 'DetectFace', 'DetectBlink', 'CalculateScore', 'AnalyzeAnswer'].map((rpc) => ["interview's certificate (operators' RPC)", rpc] as const),
  ["the operator's certificate (the interview service's RPC)", 'GenerateReport'],
  ...['AnalyzeFrame', 'GenerateReport'].map((rpc) => ["control: interview's certificate, allowed", rpc] as const),
  ["no blink track of the attacks' session", 'AnalyzeFrame, AnalyzeBatch, DetectBlink'],
  ['tables unchanged by refused calls: transport attacks', '(database)'],
  ['control: a forged token right in every claim', 'GetInterview'],
  ['no token', 'GetInterview'],
  ['expired token (an hour ago)', 'GetInterview'],
  ['token not yet valid (nbf in an hour)', 'GetInterview'],
  ['wrong audience', 'GetInterview'],
  ['wrong issuer', 'GetInterview'],
  ['alg none, no signature', 'GetInterview'],
  ["signed by a key of the attacker's own under the mesh's kid", 'GetInterview'],
  ['typ JWT instead of at+jwt', 'GetInterview'],
  ['unknown role (admin)', 'GetInterview'],
  ["tampered payload: sub = the victim, signature kept (victim's interview)", 'GetInterview'],
  ['HS256 keyed with the public key (raw, PEM, JWK x)', 'GetInterview'],
  ['tables unchanged by refused calls: token attacks', '(database)'],
  ["the victim's id as candidate_id", 'StartInterview'],
  ...['GetInterview', 'SubmitAnswer', 'SendFrame', 'CompleteInterview', 'GetInterviewStatus', 'GetReport', 'StreamInterview'].map(
    (rpc) => ["another candidate's interview", rpc] as const,
  ),
  ...['StartInterview', 'SubmitAnswer', 'SendFrame', 'CompleteInterview', 'StreamInterview'].map(
    (rpc) => ['an interviewer acting as the candidate', rpc] as const,
  ),
  ['tables unchanged by refused calls: ownership attacks', '(database)'],
  ['answer transcript of 50,001 characters', 'SubmitAnswer'],
  ['11 categories', 'StartInterview'],
  ['a category of 65 characters', 'StartInterview'],
  ['question_count 21', 'StartInterview'],
  ['frame of 8 MiB + 1 byte (a PNG, then padding)', 'SendFrame'],
  ['frame of 4097 x 4097 pixels (a 17 KB PNG)', 'SendFrame'],
  ["request message of 9 MiB + 1 KiB (gRPC's bound)", 'SendFrame'],
  ['stream frame of 8 MiB + 1 byte', 'StreamInterview'],
  ['AnalyzeBatch of 33 frames (emotion, directly)', 'AnalyzeBatch'],
  ['tables unchanged by refused calls: bounds attacks', '(database)'],
  ['plaintext to the integrity port', 'GetAssessment'],
  ['no client certificate at an internal port', 'GetAssessment'],
  ['client certificate of another CA, naming the scoring service', 'GetAssessment'],
  ["interview's certificate (the policy names scoring and operators)", 'GetAssessment'],
  ["emotion's certificate (a service the policy names nowhere here)", 'GetAssessment'],
  ["scoring's certificate (operators' RPC)", 'AnalyzeFrame'],
  ["interview's certificate (operators' RPC)", 'AnalyzeFrame'],
  ["control: scoring's certificate, allowed (a session never seen)", 'GetAssessment'],
  ["control: the operator's certificate, allowed", 'AnalyzeFrame'],
  ['frame of 8 MiB + 1 byte (a PNG, then padding; integrity, directly)', 'AnalyzeFrame'],
  ['frame of 4097 x 4097 pixels (integrity, directly)', 'AnalyzeFrame'],
  ['bytes that are no image (integrity, directly)', 'AnalyzeFrame'],
  ['session id of 129 characters', 'GetAssessment'],
  ['tables unchanged by refused calls: integrity attacks', '(database)'],
  ['access token of a deleted user', 'GetInterview'],
  ['refresh token of a deleted user', 'Refresh'],
  ['refresh token spent twice', 'Refresh'],
  ['refresh token of the family its reuse revoked', 'Refresh'],
  ['tables unchanged by refused calls: refresh-token reuse', '(database)'],
  ["another candidate's scored interview, as a PDF", 'GetReport'],
  ...[
    "control: the candidate's own report link",
    "control: a link forged right in every claim with the mesh's key",
    "report link of one interview used for another's",
    'report link with its format changed (pdf to json)',
    "report link token naming the victim's interview, signature kept",
    'report link token with its expiry pushed back, signature kept',
    "report link signed with a key of the attacker's own",
    "report link token of another kind (typ at+jwt), the mesh's key",
    "an access token as a report link's token",
    'report link with alg none, no signature',
    "expired report link (signed with the mesh's key, an hour ago)",
    "plaintext HTTP to the report links' port",
  ].map((attack) => [attack, 'GET /v1/reports/:id'] as const),
  ['tables unchanged by refused calls: report links', '(database)'],
  ["rogue registration as emotion with notifier's token", 'PUT /v1/agent/service/register'],
  ['rogue registration as emotion with no token (anonymous)', 'PUT /v1/agent/service/register'],
  ["rogue registration with the resolver's read-only token", 'PUT /v1/agent/service/register'],
  ["notifier's token taking over emotion's instance ID (registering it as notifier)", 'PUT /v1/agent/service/register'],
  ["rogue catalog registration as emotion with notifier's token", 'PUT /v1/catalog/register'],
  ["deregistering emotion with another service's token", 'PUT /v1/agent/service/deregister/:id'],
  ["control: emotion's own token registers emotion", 'PUT /v1/agent/service/register, deregister'],
  ['Consul catalog unchanged by refused calls: every mesh service', '(Consul catalog)'],
  ["forged interview.scored published with notifier's user", 'basic.publish interview.events'],
  ["interview.scored with scoring's user-id, sent by notifier's user", 'basic.publish interview.events'],
  ["interview.scored with scoring's user-id, sent by the broker's administrator", 'basic.publish interview.events'],
  ["interview.completed with emotion's user", 'basic.publish interview.events'],
  ["publishing to the default exchange straight into interview.scored (notifier's user)", 'basic.publish (default exchange)'],
  ["interview.scored through the retry exchange with a retry's headers naming scoring (notifier's user)", 'basic.publish interview.events.retry'],
  ["emotion's user consuming scoring.process", 'basic.consume'],
  ["forged interview.integrity.flagged published with emotion's user", 'basic.publish interview.events'],
  ["interview.scored published with integrity's user", 'basic.publish interview.events'],
  ["integrity's user consuming emotion.analysis", 'basic.consume'],
  ["emotion's user binding its own queue to interview.scored (eavesdropping)", 'queue.bind interview.events'],
  ["interview.scored without user-id, published by the broker's administrator", 'basic.publish interview.events'],
  ['tables unchanged by refused calls: broker attacks', '(database)'],
  ["control: scoring's user publishes interview.scoring.failed (its own key) for an interview that does not exist", 'basic.publish interview.events'],
  ["control: the candidate's own interview over REST", 'GET /api/v1/interviews/:id'],
  ["control: the candidate's own interview over the WebSocket", 'WS /ws/interviews/:id'],
  ['control: CORS preflight from the allowed origin', 'OPTIONS /api/v1/interviews/start'],
  ...['no token', 'garbage token', 'expired token (an hour ago)', 'alg none, no signature'].map((attack) => [attack, 'GET /api/v1/interviews/:id'] as const),
  ['no token', 'POST /api/v1/interviews/:id/frames'],
  ...['GET /api/v1/interviews/:id', 'POST /api/v1/interviews/:id/answers', 'POST /api/v1/interviews/:id/complete', 'WS /ws/interviews/:id'].map(
    (route) => ["another candidate's interview", route] as const,
  ),
  ...['POST /api/v1/interviews/:id/answers', 'POST /api/v1/interviews/:id/complete'].map((route) => ['an interviewer changing an interview', route] as const),
  ['body of 17 KiB past the 16 KiB bound', 'POST /api/v1/interviews/start'],
  ['the token in the WebSocket URL, then a ping', 'WS /ws/interviews/:id'],
  ['CORS preflight from an origin not allowed', 'OPTIONS /api/v1/interviews/start'],
  ["plaintext HTTP to the gateway's HTTPS port", 'GET /api/v1/interviews/:id'],
  ['tables unchanged by refused calls: gateway attacks', '(database)'],
  ['flood per user: 101 calls in a minute', 'GetInterviewStatus'],
  ['a write by a user past its limit', 'SubmitAnswer'],
  ['flood of frames: 12 SendFrame at once', 'SendFrame'],
  ['flood of frames: 12 in one stream', 'StreamInterview'],
  ['frames recorded = frames accepted', 'SendFrame, StreamInterview'],
  ['flood of interviews: 21 starts', 'StartInterview'],
  ['flood of streams: 4 open at once', 'StreamInterview'],
  ['flood per address: users until refused', 'GetInterviewStatus'],
  ['a write from the refused address', 'SubmitAnswer'],
  ['x-forwarded-for 203.0.113.7 from a client not the gateway, at the refused address', 'GetInterviewStatus'],
  ['password guessing per address: Login until refused', 'Login'],
  ['the right password from the refused address', 'Login'],
  ['tables unchanged by refused calls: limit floods', '(database)'],
];

/** Bounds no test can reach in reasonable time: rows with the verdict `not attacked` and the reason. */
const NOT_ATTACKED: readonly (readonly [attack: string, rpc: string])[] = [
  ['frame 7,201 of one interview', 'SendFrame'],
  ['stream open past 3 hours', 'StreamInterview'],
  ['stream silent for 5 minutes', 'StreamInterview'],
];

/** The verdict of each row of a Markdown table `| # | attack | RPC | expected | got | verdict |`, by `attack | RPC`. */
function verdicts(table: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of table.split('\n')) {
    const cells = line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    if (cells.length === 6 && /^\d+$/.test(cells[0])) rows.set(`${cells[1]} | ${cells[2]}`, cells[5]);
  }
  return rows;
}

describe('the security suite (test/security/attacks.py) against the running mesh', () => {
  let consul: ConsulAgent | undefined;
  let mesh: MeshProcess | undefined;
  let python: string;
  let gatewayPort: number;

  beforeAll(async () => {
    python = runScript('scripts/infra/ensure-python-tools.sh');
    // Builds Consul first when missing (minutes, cold), then provisions every service's token and the resolver's.
    consul = await startConsulAgent();
    // The mesh does not report the gateway's HTTPS port: one chosen here.
    gatewayPort = await freePort();
    mesh = await startMeshProcess({
      GATEWAY_HTTPS_PORT: String(gatewayPort),
      GATEWAY_CORS_ORIGINS: GATEWAY_ORIGIN,
      CONSUL_HTTP_ADDR: consul.httpAddr,
      // Each service registers with its own token (EMOTION_CONSUL_TOKEN, …), as deployed.
      ...consul.tokenEnv,
      CONSUL_CHECK_INTERVAL_MS: '1000',
    });
    // The attacks compare emotion's entries, and every service's, with what the mesh registered: all there, passing.
    const passing = async () => (await Promise.all(SERVICE_NAMES.map((name) => consul!.passing(name)))).every((instances) => instances.length === 1);
    await waitFor('every service of the mesh passing its Consul check', passing, 30_000, 200).catch((error: unknown) => {
      console.error(`--- consul ---\n${consul!.logs().slice(-4000)}`);
      throw error;
    });
    const gatewayServing = async () => (await request(gatewayPort, 'GET', '/healthz').catch(() => undefined))?.status === 200;
    await waitFor("the gateway's HTTPS port serving", gatewayServing, 30_000, 200);
  }, 900_000);

  afterAll(async () => {
    // The mesh first: its services deregister from the agent on SIGTERM.
    await mesh?.stop();
    await consul?.stop();
  });

  it("the suite's Python passes ruff and mypy --strict", async () => {
    const bin = path.dirname(python);
    const checks: readonly (readonly [tool: string, args: readonly string[]])[] = [
      ['ruff', ['check', '--cache-dir', path.join(REPO, '.cache/ruff'), 'test/security']],
      ['ruff', ['format', '--check', '--cache-dir', path.join(REPO, '.cache/ruff'), 'test/security']],
      ['mypy', ['--strict', '--config-file', 'test/security/pyproject.toml', '--cache-dir', path.join(REPO, '.cache/mypy')]],
    ];
    const failed: string[] = [];
    for (const [tool, args] of checks) {
      const { code, output } = await runCaptured(path.join(bin, tool), args, { cwd: REPO, timeout: 300_000 });
      if (code !== 0) failed.push(`${tool} ${args.join(' ')}: exit ${String(code)}\n${output}`);
    }
    // Each failing run with its exit code and output.
    expect(failed).toEqual([]);
  });

  it('refuses every attack with the right status code, and refused calls write nothing', async () => {
    const { addresses, env } = mesh!;
    const { code, output } = await runCaptured(python, [path.join(REPO, 'test/security/attacks.py')], {
      cwd: REPO,
      env: {
        ...process.env,
        MESH_INTERVIEW_ADDR: addresses.interview,
        MESH_AUTH_ADDR: addresses.auth,
        MESH_EMOTION_ADDR: addresses.emotion,
        MESH_SCORING_ADDR: addresses.scoring,
        MESH_NOTIFIER_ADDR: addresses.notifier,
        MESH_INTEGRITY_ADDR: addresses.integrity,
        // The tests' CA, the operator's certificate and the services' (test/support/tls.ts), which the mesh uses.
        MESH_TLS_DIR: TEST_TLS_DIR,
        DATABASE_URL: env.DATABASE_URL,
        AUTH_KEYS_DIR: env.AUTH_KEYS_DIR,
        TEST_INVITATION_CODE,
        MESH_FIXTURES: path.join(REPO, 'test/fixtures/faces'),
        // The report links' key the interview service made (report_link_attacks.py forges with it).
        MESH_REPORT_LINK_KEY_FILE: env.INTERVIEW_REPORT_LINK_KEY_FILE,
        // The agent the mesh registered in, and the tokens it was given (consul_attacks.py).
        MESH_CONSUL_ADDR: consul!.httpAddr,
        MESH_CONSUL_TOKENS: JSON.stringify(consul!.tokens),
        // The mesh's vhost as the broker's administrator, and as each service's own user (broker_attacks.py).
        MESH_AMQP_ADMIN_URL: env.AMQP_URL,
        // The gateway's HTTPS port and the origin its CORS allow-list holds (gateway_attacks.py).
        MESH_GATEWAY_ADDR: `127.0.0.1:${String(gatewayPort)}`,
        MESH_GATEWAY_ORIGIN: GATEWAY_ORIGIN,
        MESH_AMQP_URLS: JSON.stringify(Object.fromEntries(SERVICE_NAMES.map((name) => [name, env[serviceVariable(name, 'AMQP_URL')]]))),
      },
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    console.log(output);

    const found = verdicts(output);
    const wanted = (rows: typeof ATTACKS, verdict: string) => Object.fromEntries(rows.map(([attack, rpc]) => [`${attack} | ${rpc}`, verdict]));
    const got = (rows: typeof ATTACKS) => Object.fromEntries(rows.map(([attack, rpc]) => [`${attack} | ${rpc}`, found.get(`${attack} | ${rpc}`) ?? 'missing']));
    expect(got(ATTACKS)).toEqual(wanted(ATTACKS, 'ok'));
    expect(got(NOT_ATTACKED)).toEqual(wanted(NOT_ATTACKED, 'not attacked'));
    // No other row (a group that aborted, a set-up that failed) and the program's own verdict.
    expect(found.size).toBe(ATTACKS.length + NOT_ATTACKED.length);
    expect(code).toBe(0);
  });
});
