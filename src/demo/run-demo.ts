/**
 * The main job: a whole interview through the mesh on real photographs. Starts the mesh in this
 * process on the embedded defaults (or uses one at --target), then, as a gRPC client: signs up a
 * candidate and an interviewer with the auth service, and as the candidate (their access token on
 * every call and on the stream) starts an interview, streams the fixture photographs as frames and
 * the answers over StreamInterview, completes it and waits for the scored event; the interviewer
 * reads the report it prints, asks for its PDF, fetches it through the report link and writes
 * report.pdf and report.json (--out, .data/demo by default).
 *
 * With --web it also opens the front door: builds the web app when dist/web is missing or stale,
 * and after the interview prints the gateway's URL (the mesh's gateway, in this process), the CA a
 * browser must trust, the accounts' e-mails and passwords and the interviewers' invitation code,
 * then serves until SIGINT or SIGTERM and stops the mesh gracefully.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tlsFiles } from '../platform/tls/certificate-files';
import { publicChannel } from '../platform/tls/transport-security';
import { Command } from 'commander';
import { Role } from '../gen/auth';
import { Interview, InterviewServiceClient, InterviewState, Question, ReportFormat } from '../gen/interview';
import { IntegritySection, IntegrityStatus, InterviewReport } from '../gen/report';
import { EVENT_WORDS, missingAssessment, VERDICT_WORDS } from '../services/scoring/report/integrity-words';
import { REPO_ROOT } from '../platform/paths';
import { callUnary } from '../platform/grpc/unary-call';
import { optionalString } from '../platform/config/env';
import { loadConfig } from '../platform/config/mesh-config';
import { createLogger } from '../platform/log/logger';
import { SERVICE_NAMES } from '../mesh/registry';
import { startMesh } from '../mesh/start-mesh';
import { authService } from '../services/auth';
import { bearer } from '../platform/identity/authentication';
import { DemoUser, demoEmail, signUp } from './accounts';
import { frontDoorLines, frontDoorUrl, prepareWebApp, untilStopped } from './front-door';
import { loadDemoFrames } from './frames';
import { InterviewStreamClient } from './interview-stream-client';
import { fetchLink, writeReportFiles } from './report-files';
import { transcriptFor } from './transcripts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** Options of a call made as `user`: a deadline and their access token. */
const as = (user: DemoUser, ms = 30_000) => ({ deadline: new Date(Date.now() + ms), metadata: bearer(user.accessToken) });

interface DemoOptions {
  target?: string;
  /** Where report.pdf and report.json go. */
  out: string;
  authTarget?: string;
  candidate: string;
  questions: number;
  timeout: number;
  /** Open the front door (the gateway and the web app) and serve until a signal. */
  web: boolean;
}

async function main(options: DemoOptions): Promise<void> {
  if (options.web && options.target)
    throw new Error('--web opens the front door of the mesh this run starts; a mesh at --target serves its own (its gateway, GATEWAY_HTTPS_PORT)');
  const started = Date.now();
  let stopMesh: (() => Promise<void>) | undefined;
  let frontDoor: URL | undefined;
  /** Set once a signal ended the serving (--web). */
  let stopped = false;
  let target = options.target;
  let authTarget: string;
  /** What an interviewer's registration presents; undefined: no interviewer is signed up. */
  let invitationCode: string | undefined;
  if (!target) {
    // The mesh of this run: its interviewers register with a code that only this run knows.
    invitationCode = randomBytes(18).toString('base64url');
    const env = { ...process.env, AUTH_INTERVIEWER_INVITATION_CODE: invitationCode };
    const config = loadConfig(env);
    const logFile = path.join(config.dataDir, 'logs', 'mesh.log');
    say(
      `[1/6] Starting the mesh in this process: ${config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, ${config.amqpUrl ? 'RabbitMQ' : 'in-process bus'} (logs: ${path.relative(process.cwd(), logFile)})`,
    );
    if (options.web) say(`      ${await prepareWebApp(env)}`);
    const mesh = await startMesh(config, SERVICE_NAMES, createLogger({ level: config.logLevel, file: logFile }), { env });
    stopMesh = () => mesh.stop(2_000);
    if (options.web) frontDoor = frontDoorUrl(mesh);
    target = mesh.address('interview');
    authTarget = mesh.address('auth');
    for (const [name, service] of mesh.services) say(`      ${name.padEnd(9)} gRPC ${service.server.address}  health ${service.health.get()}`);
    say(
      config.transport.plaintext
        ? '      INSECURE: plaintext gRPC (MESH_INSECURE_PLAINTEXT=true)'
        : `      mTLS between services; clients trust ${path.relative(process.cwd(), tlsFiles(config.transport.dir).caCertificate)} (grpcurl -cacert)`,
    );
  } else {
    say(`[1/6] Using the mesh at ${target}`);
    authTarget = options.authTarget ?? `${hostOf(target)}:${authService.defaultPort}`;
    invitationCode = optionalString(process.env, 'AUTH_INTERVIEWER_INVITATION_CODE');
  }

  const channel = publicChannel(loadConfig(process.env).transport, target);
  const client = new InterviewServiceClient(target, channel.credentials, channel.options);
  try {
    const candidate = await signUp(authTarget, channel, demoEmail(options.candidate), Role.ROLE_CANDIDATE);
    const interviewer = invitationCode ? await signUp(authTarget, channel, demoEmail('interviewer-demo'), Role.ROLE_INTERVIEWER, invitationCode) : undefined;
    say(
      interviewer
        ? `      signed up candidate ${candidate.email} and interviewer ${interviewer.email} (auth at ${authTarget})`
        : `      signed up candidate ${candidate.email} (auth at ${authTarget}); no interviewer: AUTH_INTERVIEWER_INVITATION_CODE is not set, so the candidate reads the report`,
    );

    say(`[2/6] Starting an interview for ${candidate.email}`);
    const interview: Interview = await callUnary(
      client.startInterview.bind(client),
      { candidateId: candidate.userId, categories: [], difficulty: 0, questionCount: options.questions },
      as(candidate),
    );
    say(`      interview ${interview.id}, ${interview.questions.length} questions`);

    say('[3/6] Streaming frames and answers over StreamInterview');
    const frames = await loadDemoFrames();
    const stream = new InterviewStreamClient(
      client.streamInterview(bearer(candidate.accessToken), { deadline: new Date(Date.now() + options.timeout * 1000) }),
    );
    stream.send({ interviewId: interview.id, ping: { sentAtMs: Date.now() } });
    await stream.until((r) => r.pong !== undefined);
    let frameIndex = 0;
    for (const question of interview.questions) {
      say(`      Q (${question.category}): ${question.text}`);
      for (let k = 0; k < 2; k++, frameIndex++) await sendFrame(stream, frames[frameIndex % frames.length]);
      await sendAnswer(stream, question);
    }
    stream.end();

    say('[4/6] Completing the interview');
    await callUnary(client.completeInterview.bind(client), { interviewId: interview.id }, as(candidate));

    say('[5/6] Waiting for the scored event (scoring waits until every frame is analyzed)');
    const waitStarted = Date.now();
    for (;;) {
      const status = await callUnary(client.getInterviewStatus.bind(client), { interviewId: interview.id }, as(candidate));
      if (status.state === InterviewState.INTERVIEW_STATE_SCORED) break;
      if (status.state === InterviewState.INTERVIEW_STATE_FAILED) throw new Error(`scoring failed: ${status.failureReason}`);
      if (Date.now() - waitStarted > options.timeout * 1000) throw new Error(`not scored after ${options.timeout} s`);
      process.stdout.write(`      state ${InterviewState[status.state]}, ${((Date.now() - waitStarted) / 1000).toFixed(1)} s\r`);
      await new Promise((r) => setTimeout(r, 200));
    }
    say(`      scored after ${((Date.now() - waitStarted) / 1000).toFixed(1)} s                    `);

    say(`[6/6] Report, as ${interviewer ? 'the interviewer' : 'the candidate'} reads it: GetReport with its PDF, then the PDF fetched through the report link`);
    const asked = Date.now();
    const response = await callUnary(
      client.getReport.bind(client),
      { interviewId: interview.id, includeEmotions: true, format: ReportFormat.REPORT_FORMAT_PDF },
      as(interviewer ?? candidate, 60_000),
    );
    const madeMs = Date.now() - asked;
    const report = present(response.report, 'report');
    printReport(report, interview.questions);
    say(`      report link (until ${response.reportUrlExpiresAt?.toISOString() ?? '?'}): ${response.reportUrl}`);
    const transport = loadConfig(process.env).transport;
    const pdf = await fetchLink(response.reportUrl, transport.plaintext ? undefined : fs.readFileSync(tlsFiles(transport.dir).caCertificate));
    if (!pdf.equals(Buffer.from(response.reportPdf))) throw new Error('the PDF fetched through the link differs from the one GetReport returned');
    const files = await writeReportFiles(path.resolve(options.out), pdf, report);
    say(
      `      wrote ${path.relative(process.cwd(), files.pdf)} (${(files.pdfBytes / 1024).toFixed(0)} KB, made and returned in ${(madeMs / 1000).toFixed(2)} s) and ${path.relative(process.cwd(), files.json)}`,
    );
    say(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (frontDoor) {
      say();
      for (const line of frontDoorLines({ url: frontDoor, transport, interviewId: interview.id, candidate, interviewer, invitationCode })) say(line);
      const signal = await untilStopped();
      say(`${signal}: stopping the mesh`);
      stopped = true;
    }
  } finally {
    client.close();
    await stopMesh?.();
  }
  if (stopped) say('Stopped.');
}

/** The host of a `host:port` target (brackets of an IPv6 address kept). */
function hostOf(target: string): string {
  return target.replace(/:\d+$/, '');
}

async function sendFrame(stream: InterviewStreamClient, frame: { label: string; bytes: Buffer; format: string }): Promise<void> {
  stream.send({ frame: { imageData: frame.bytes, format: frame.format, timestampMs: Date.now() } });
  const [response] = await stream.until((r) => r.emotionUpdate !== undefined || r.error !== undefined);
  if (response.error) {
    say(`        frame ${frame.label}: ${response.error.code} ${response.error.message}`);
    return;
  }
  const u = present(response.emotionUpdate, 'emotionUpdate');
  if (u.queued) say(`        frame ${u.frameNumber} ${frame.label}: queued for analysis (emotion service busy)`);
  else if (u.faceDetected && u.faceBox) {
    const b = u.faceBox;
    say(`        frame ${u.frameNumber} ${frame.label}: face at x=${b.x} y=${b.y} ${b.width}x${b.height}, emotion ${u.emotion} (${pct(u.confidence)})`);
  } else {
    const [notice] = await stream.until((r) => r.error !== undefined);
    say(`        frame ${u.frameNumber} ${frame.label}: no face (${present(notice.error, 'error').reason})`);
  }
}

async function sendAnswer(stream: InterviewStreamClient, question: Question): Promise<void> {
  const transcript = transcriptFor(question.id);
  stream.send({ answer: { questionId: question.id, transcript: transcript.text, durationSeconds: transcript.durationSeconds, confidence: 0.93 } });
  const [response] = await stream.until((r) => r.status !== undefined || r.error !== undefined);
  if (response.error) throw new Error(`answer rejected: ${response.error.code} ${response.error.message}`);
  const progress = present(response.status, 'status');
  say(
    `        answered (${transcript.durationSeconds} s, ${transcript.text.split(/\s+/).length} words): ${progress.answered}/${progress.totalQuestions} (${progress.percent}%)`,
  );
  if (progress.answered < progress.totalQuestions) await stream.until((r) => r.question !== undefined);
}

/** A field `until` waited for: there by construction, so its absence is a bug worth a clear message. */
function present<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new Error(`StreamInterview response without the awaited ${field}`);
  return value;
}

function printReport(report: InterviewReport, questions: readonly Question[]): void {
  say('      Answers            relevance clarity depth  keywords');
  for (const a of report.answers) {
    const q = questions.find((x) => x.id === a.questionId);
    say(
      `      ${(q?.category ?? a.questionId).padEnd(18)} ${a.relevanceScore.toFixed(1).padStart(9)} ${a.clarityScore.toFixed(1).padStart(7)} ${a.depthScore.toFixed(1).padStart(5)}  ${a.keywords.slice(0, 5).join(', ')}`,
    );
    say(`        ${a.feedback}`);
  }
  const e = present(report.emotionSummary, 'report.emotionSummary');
  const counts = Object.entries(e.countsByEmotion)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  say(`      Frames: ${e.sampleCount} analyzed, face in ${e.faceDetectedCount}; emotions: ${counts || 'none'}; dominant ${e.dominantEmotion || 'none'}`);
  const b = report.blinks;
  if (b) {
    const rate = b.blinksPerMinute === undefined ? 'no rate (under 15 s tracked)' : `${b.blinksPerMinute.toFixed(1)} a minute`;
    say(
      `      Blinks: ${b.blinkCount} over ${b.trackedSeconds.toFixed(1)} s tracked, ${rate}; normal in conversation ${b.normalLowPerMinute}-${b.normalHighPerMinute} (Doughty 2001)`,
    );
  }
  const s = present(report.scores, 'report.scores');
  say(
    `      Scores: technical ${s.technical.toFixed(1)}, communication ${s.communication.toFixed(1)}, emotion ${s.emotion.toFixed(1)}, overall ${s.overall.toFixed(1)} (of 100)`,
  );
  say(`      Feedback: ${report.feedback}`);
  for (const i of report.insights) say(`      - [${i.category}] ${i.description} (impact ${i.impact >= 0 ? '+' : ''}${i.impact.toFixed(2)})`);
  say(`      Integrity: ${integrityLine(report.integrity)}`);
}

/** The report's integrity section in a line: the verdict and its evidence, or why there is none. */
function integrityLine(section: IntegritySection | undefined): string {
  if (section?.status !== IntegrityStatus.INTEGRITY_STATUS_ASSESSED) {
    const missing = section && missingAssessment(section.status);
    return missing ?? 'not in this report';
  }
  const events = section.events.map((e) => EVENT_WORDS[e.kind]).join(', ');
  return (
    `verdict ${VERDICT_WORDS[section.verdict]}, risk ${section.risk.toFixed(2)} (peak ${section.peakRisk.toFixed(2)}), ` +
    `${section.framesAnalyzed} ${section.framesAnalyzed === 1 ? 'frame' : 'frames'} analysed, ` +
    `${section.eventsTotal} ${section.eventsTotal === 1 ? 'event' : 'events'}${events ? `: ${events}` : ''}`
  );
}

const program = new Command('demo')
  .description('run a whole interview through the mesh on the fixture photographs')
  .option('-t, --target <host:port>', 'interview service of a running mesh (default: start one in this process)')
  .option(
    '--auth-target <host:port>',
    `auth service of the mesh at --target (default: its host, port ${authService.defaultPort}); an interviewer is signed up when AUTH_INTERVIEWER_INVITATION_CODE is set`,
  )
  .option('-c, --candidate <name>', "name in the candidate's email (<name>-<random>@demo.example: a new account each run)", 'candidate-demo')
  .option('-q, --questions <n>', 'questions in the interview', (v) => Number.parseInt(v, 10), 4)
  .option('--timeout <seconds>', 'give up after this long', (v) => Number.parseInt(v, 10), 120)
  .option('-o, --out <dir>', 'where to write report.pdf and report.json', path.join(REPO_ROOT, '.data', 'demo'))
  .option('--web', 'also open the front door: build the web app if needed, print its URL and the accounts, serve until Ctrl-C', false)
  .action(async (options: DemoOptions) => main(options));

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
