/**
 * The README's grpcurl session, run as it is written against the mesh (`npm start`'s four services
 * in one process, with the auth service, on PostgreSQL and RabbitMQ): grpcurl (pinned, installed by
 * scripts/infra/ensure-grpcurl.sh) with reflection only, no .proto file, over TLS: the session's
 * MESH_TLS_DIR is the tests' (TEST_TLS_DIR, whose CA the mesh uses), trusted with -cacert, and the
 * operator's certificate there is what it presents to the internal services. The block is split
 * into its paragraphs (steps); a marker line is echoed between them, nothing else is added, and each
 * step's output is checked. A step the README gains without a check here fails the test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MeshProcess, startMeshProcess } from '../support/mesh-process';
import { TEST_TLS_DIR } from '../support/tls';
import { run, runScript } from '../support/tools';

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../..');

/** The bash block after the `grpcurl-session` marker in README.md, as paragraphs. */
function readmeSteps(): string[] {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const match = /<!-- grpcurl-session:[\s\S]*?-->\n```bash\n([\s\S]*?)\n```/.exec(readme);
  if (!match) throw new Error('README.md has no ```bash block after <!-- grpcurl-session: ... -->');
  return match[1].split(/\n\s*\n/).map((step) => step.trim());
}

/** A step's title: its first line, a comment. */
const title = (step: string) => step.split('\n')[0].replace(/^#\s*/, '');

/** The JSON documents grpcurl printed one after the other. */
function documents(output: string): unknown[] {
  return output
    .trim()
    .split(/\n(?=\{)/)
    .map((text) => JSON.parse(text) as unknown);
}

/** What the checks read of grpcurl's answers (proto3 JSON: camelCase names, int64 as strings, bytes as base64). */
interface EmotionResponseJson {
  confidence: number;
  faceMetrics: { boundingBox: { x: number; width: number } };
}
interface AnswerAnalysisJson {
  relevanceScore: number;
  clarityScore: number;
  depthScore: number;
  keywords: string[];
  feedback: string;
}
interface InterviewJson {
  id: string;
  state: string;
  questions: unknown[];
}
interface SubmitAnswerJson {
  progress: unknown;
}
interface RegisterJson {
  userId: string;
  role: string;
}
interface TokenPairJson {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
}
interface JwksJson {
  keys: { kty: string; crv: string; x: string; kid: string; alg: string; use: string }[];
}

/** A JWT's part (header or payload), decoded. */
const jwtPart = (token: string, index: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString()) as Record<string, unknown>;

interface ReportJson {
  interviewId: string;
  scores: { overall: number };
  reportJson: string;
}

describe('the README grpcurl session (reflection only)', () => {
  let grpcurl: string;
  let mesh: MeshProcess | undefined;
  const outputs = new Map<string, string>();

  beforeAll(async () => {
    grpcurl = runScript('scripts/infra/ensure-grpcurl.sh');
    mesh = await startMeshProcess();
    const steps = readmeSteps();
    const script = ['set -euo pipefail', ...steps.flatMap((step, i) => [`echo '@@step ${i}'`, step])].join('\n');
    const { stdout } = await run('bash', ['-c', script], {
      cwd: REPO,
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
      env: {
        ...process.env,
        PATH: `${path.dirname(grpcurl)}:${process.env.PATH}`,
        INTERVIEW: mesh.addresses.interview,
        EMOTION: mesh.addresses.emotion,
        SCORING: mesh.addresses.scoring,
        NOTIFIER: mesh.addresses.notifier,
        AUTH: mesh.addresses.auth,
        MESH_TLS_DIR: TEST_TLS_DIR,
      },
    });
    const parts = stdout.split(/^@@step (\d+)\n/m);
    for (let i = 1; i < parts.length; i += 2) outputs.set(title(steps[Number(parts[i])]), parts[i + 1]);
  }, 900_000);

  afterAll(async () => {
    await mesh?.stop();
  });

  const checks: Record<string, (output: string) => void> = {
    "Where the services listen and their CA (npm start's defaults), grpcurl's TLS flags, a helper that reads a JSON answer's field": (output) => {
      expect(output).toBe('');
    },
    'What each server serves': (output) => {
      // interview and auth with the CA alone; emotion, scoring and notifier with the operator's certificate.
      expect(output.trim().split('\n')).toEqual([
        'grpc.health.v1.Health',
        'interview.v1.InterviewService',
        'auth.v1.AuthService',
        'grpc.health.v1.Health',
        'emotion.EmotionService',
        'grpc.health.v1.Health',
        'grpc.health.v1.Health',
        'scoring.ScoringService',
        'grpc.health.v1.Health',
      ]);
    },
    'Every port is TLS: plaintext is refused, and so is a client without a certificate at an internal service': (output) => {
      // No TLS handshake completes, so there is no gRPC status: grpcurl gives up connecting (exit 1).
      expect(output.trim().split('\n')).toEqual([
        `Failed to dial target host "${mesh!.addresses.interview}": context deadline exceeded`,
        'exit status 1',
        `Failed to dial target host "${mesh!.addresses.emotion}": context deadline exceeded`,
        'exit status 1',
      ]);
    },
    "The call policy: scoring's GenerateReport is the interview service's alone, the operator gets PermissionDenied": (output) => {
      expect(output).toContain('Code: PermissionDenied');
      expect(output).toContain('Message: spiffe://interview-mesh/operator/operator may not call /scoring.ScoringService/GenerateReport');
      // 64 + PERMISSION_DENIED (7).
      expect(output.trim().split('\n').at(-1)).toBe('exit status 71');
    },
    "An RPC's signature and a message's fields, from reflection": (output) => {
      expect(output).toContain('rpc AnalyzeFrame ( .emotion.FrameRequest ) returns ( .emotion.EmotionResponse );');
      expect(output).toContain('interview.v1.StartInterviewRequest is a message:');
      expect(output).toMatch(/string candidate_id = 1;[\s\S]*int32 question_count = 4;/);
    },
    'Health: a service, a dependency of the interview service (its breaker), a whole server': (output) => {
      expect(documents(output)).toEqual([{ status: 'SERVING' }, { status: 'SERVING' }, { status: 'SERVING' }]);
    },
    'AnalyzeFrame on a photograph (through stdin: base64 of an image is too long for an argument)': (output) => {
      const [answer] = documents(output) as [EmotionResponseJson];
      expect(answer).toMatchObject({ sessionId: 'grpcurl', emotion: 'happy', faceMetrics: { detected: true } });
      expect(answer.confidence).toBeGreaterThan(0.5);
      const box = answer.faceMetrics.boundingBox;
      // The astronaut's face in the 512x512 photograph.
      expect(box.width).toBeGreaterThan(60);
      expect(box.x + box.width).toBeLessThanOrEqual(512);
    },
    AnalyzeAnswer: (output) => {
      const [analysis] = documents(output) as [AnswerAnalysisJson];
      for (const score of [analysis.relevanceScore, analysis.clarityScore, analysis.depthScore]) expect(score).toBeGreaterThan(0);
      expect(analysis.keywords.length).toBeGreaterThan(0);
      expect(analysis.feedback).toEqual(expect.any(String));
    },
    'The interview service answers only calls with an access token (grpcurl exits with 64 + the code)': (output) => {
      expect(output).toContain('Code: Unauthenticated');
      expect(output).toContain('Message: this call needs `authorization: Bearer <access token>`');
      // 64 + UNAUTHENTICATED (16).
      expect(output.trim().split('\n').at(-1)).toBe('exit status 80');
    },
    'Register a candidate with the auth service': (output) => {
      const [account] = documents(output) as [RegisterJson];
      expect(Object.keys(account).sort()).toEqual(['role', 'userId']);
      expect(account.role).toBe('ROLE_CANDIDATE');
      expect(account.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    },
    'log in: an access token (a JWT, sent as `authorization: Bearer ...`) and a refresh token': (output) => {
      const [tokens] = documents(output) as [TokenPairJson];
      expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      expect(tokens.refreshToken.length).toBeGreaterThan(0);
      expect(jwtPart(tokens.accessToken, 0)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
      const [account] = documents(outputs.get('Register a candidate with the auth service')!) as [RegisterJson];
      expect(jwtPart(tokens.accessToken, 1)).toMatchObject({ sub: account.userId, role: 'candidate' });
    },
    'The public keys that verify access tokens, a JWK Set (any service verifies a token without calling auth)': (output) => {
      const [jwks] = documents(output) as [JwksJson];
      expect(jwks.keys.length).toBeGreaterThan(0);
      for (const key of jwks.keys) expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      // The key that signed the session's access token is published.
      const [tokens] = documents(outputs.get('log in: an access token (a JWT, sent as `authorization: Bearer ...`) and a refresh token')!) as [TokenPairJson];
      expect(jwks.keys.map((key) => key.kid)).toContain(jwtPart(tokens.accessToken, 0).kid);
    },
    'A whole interview: start it': (output) => {
      const [interview] = documents(output) as [InterviewJson];
      const [account] = documents(outputs.get('Register a candidate with the auth service')!) as [RegisterJson];
      // The candidate is the token's subject.
      expect(interview).toMatchObject({ candidateId: account.userId, state: 'INTERVIEW_STATE_IN_PROGRESS' });
      expect(interview.questions).toHaveLength(2);
    },
    'a frame': (output) => {
      const [sent] = documents(output);
      expect(sent).toMatchObject({ frameNumber: '1', analysis: { emotion: 'happy', faceMetrics: { detected: true } } });
    },
    'an answer to each question': (output) => {
      const answers = documents(output) as SubmitAnswerJson[];
      expect(answers).toHaveLength(2);
      expect(answers[0].progress).toMatchObject({ answered: 1, totalQuestions: 2 });
      expect(answers[1].progress).toMatchObject({ percent: 100, answered: 2, totalQuestions: 2 });
    },
    'complete it, wait until it is scored (asynchronously, through the events), and get the report': (output) => {
      const [completed, report] = documents(output) as [InterviewJson, ReportJson];
      expect(completed.state).toBe('INTERVIEW_STATE_COMPLETED');
      expect(report.interviewId).toBe(completed.id);
      expect(report.scores.overall).toBeGreaterThan(0);
      expect(report.scores.overall).toBeLessThanOrEqual(100);
      const json = JSON.parse(Buffer.from(report.reportJson, 'base64').toString()) as { answers: unknown[]; emotionSummary: unknown };
      expect(json.answers).toHaveLength(2);
      expect(json.emotionSummary).toMatchObject({ sampleCount: 1, faceDetectedCount: 1 });
    },
  };

  it('has a check for every step and runs every step', () => {
    expect(readmeSteps().map(title)).toEqual(Object.keys(checks));
    expect([...outputs.keys()]).toEqual(Object.keys(checks));
  });

  it.each(Object.keys(checks))('%s', (step) => {
    checks[step](outputs.get(step)!);
  });
});
