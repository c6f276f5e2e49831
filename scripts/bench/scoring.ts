/**
 * `npm run bench:scoring`: the scoring service's answer analysis (winkNLP and the sentence-embedding
 * model, all-MiniLM-L6-v2 on onnxruntime-node: src/services/scoring/domain/answer-analysis.ts) on
 * answers of about 150 words, the length of the evaluation set's good answers
 * (test/fixtures/answer-relevance-eval.json). Not a test: figures only (the machine is shared, so
 * run it more than once). Exits 0 whether or not the target is met.
 *
 * The answer: the good answer of BENCH_ANSWER (an evaluation-set question id, tech-test-strategy by
 * default) cut or extended (with the same question's weak answer) to exactly 150 words (runs of
 * non-space characters). Prints, in milliseconds, warm-up calls left out:
 *
 * 1. AnalyzeAnswer over gRPC: the scoring service started in this process as `npm run demo` starts
 *    it (startMesh, embedded PGlite in memory, the in-process bus, mTLS with certificates issued
 *    into a temporary directory, the model loaded by the service itself), called as the operator
 *    (whom the call policy allows AnalyzeAnswer), sequentially: median and p99. The service keeps
 *    the analyses it made (AnswerAnalyzer's memo, by category, question and answer): each call's
 *    answer differs from the others by its whitespace only (a double space at some of the gaps
 *    between words, by the bits of the call's number), which neither winkNLP nor the tokenizer sees,
 *    so every call does the whole work of the same answer (the benchmark counts the responses that
 *    differ from the in-process analysis: none should). Every other call has an anchor call (below)
 *    before or after it, in turn, so that both see the same machine.
 * 2. The model's share of an analysis in this process: measureAnswer with the encoder wrapped in a
 *    timing proxy; the whole analysis, the encoder's time in it (one encode call per analysis:
 *    question, sentences and keyword candidates together) and the rest (winkNLP, the measures),
 *    each median, and the model's share (median of the analyses' shares); each onnxruntime run's
 *    median by its input's shape (InferenceSession.run timed); this process's CPU time per
 *    analysis, all threads and the main thread's; the event loop's delay meanwhile (onnxruntime-node
 *    runs inference synchronously on the main thread: the longest run holds the event loop that long).
 * 3. A 10-answer interview: the evaluation set's first 10 questions' good answers analysed side by
 *    side as scoring a completed interview does (analyzeAnswers of score-interview.ts) on an
 *    EncoderPool as the service's (DEFAULT_ENCODER_THREADS worker threads, nothing remembered), a
 *    fresh AnswerAnalyzer (no LLM judge) each run so that its memo hides nothing; median and max
 *    against the target (TARGET_INTERVIEW_MS): PASS when even the slowest run is under it.
 * 4. The anchor: the encoder alone on the 150-word answer as one text (one sequence), and
 *    AnalyzeAnswer's median as a ratio to it: a figure that the machine's speed and load weigh on
 *    less than milliseconds.
 *
 * The in-process figures (2 and 4) use an encoder of the benchmark's own in this thread
 * (SentenceEncoder.load(), the same model file and session options as the service's workers).
 *
 * Environment: BENCH_CALLS (default 200) AnalyzeAnswer calls, BENCH_ANALYSES (default 60)
 * in-process analyses, BENCH_INTERVIEWS (default 10) interview runs, BENCH_WARMUP (default 10) calls
 * or analyses left out before each figure (1 interview run), BENCH_ANSWER (default
 * tech-test-strategy) the evaluation-set question whose good answer is the 150-word answer.
 * SCORING_TEXT_MODEL_DIR as for the service; else the model is made (or found up to date) by
 * scripts/models/ensure-text-model.sh first.
 */
import fs from 'node:fs';
import os from 'node:os';
import { machineSummary } from './machine';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { InterviewCompleted } from '../../src/gen/events';
import { AnswerAnalysis, ScoringServiceClient } from '../../src/gen/scoring';
import { startMesh } from '../../src/mesh/start-mesh';
import { loadConfig } from '../../src/platform/config/mesh-config';
import { callUnary } from '../../src/platform/grpc/unary-call';
import { silentLogger } from '../../src/platform/log/logger';
import { REPO_ROOT } from '../../src/platform/paths';
import { provided } from '../../src/platform/service/provisioned';
import { TransportSecurity } from '../../src/platform/tls/transport-security';
import { AnswerAnalyzer } from '../../src/services/scoring/answer-analyzer';
import { AnswerInput, measureAnswer } from '../../src/services/scoring/domain/answer-analysis';
import { SentenceEmbedder } from '../../src/services/scoring/domain/semantic';
import { analyzeAnswers } from '../../src/services/scoring/score-interview';
import { DEFAULT_ENCODER_THREADS, EncoderPool } from '../../src/services/scoring/semantic/encoder-pool';
import { lengthBatches, SentenceEncoder, TEXT_SESSION_OPTIONS, textModelDir } from '../../src/services/scoring/semantic/sentence-encoder';
import { runScript } from '../../test/support/tools';
import { processCpuMs } from './mesh/cpu';
import { percentiles } from './mesh/stats';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const ANALYSES = Number(process.env.BENCH_ANALYSES ?? 60);
const INTERVIEWS = Number(process.env.BENCH_INTERVIEWS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const INTERVIEW_WARMUP = 1;
const ANSWER_ID = process.env.BENCH_ANSWER ?? 'tech-test-strategy';
const ANSWER_WORDS = 150;
const INTERVIEW_ANSWERS = 10;
/** The target: the answers of a 10-answer interview analysed in under a second. */
const TARGET_INTERVIEW_MS = 1_000;

interface EvalQuestion {
  id: string;
  category: string;
  question: string;
  answers: { good: string; weak: string };
}

interface Stats {
  median: number;
  p99: number;
}

function stats(samples: readonly number[]): Stats {
  const { p50, p99 } = percentiles(samples);
  return { median: p50, p99 };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const words = (text: string) => text.split(/\s+/).filter(Boolean);
const ms = (n: number, width = 8) => n.toFixed(2).padStart(width);

/**
 * `text` as exactly `count` words: its first `count`, ended with a full stop, or all of them
 * followed by the first words of `more`.
 */
function exactWords(text: string, count: number, more: string): string[] {
  const all = [...words(text), ...words(more)];
  if (all.length < count) throw new Error(`fewer than ${count} words in the answer and its extension`);
  const kept = all.slice(0, count);
  kept[count - 1] = `${kept[count - 1].replace(/[,;:.!?]+$/, '')}.`;
  return kept;
}

/**
 * `list` joined by spaces, a double space at gap g when bit g of `n` is set: another text for the
 * service's memo, the same words and sentences for winkNLP and the tokenizer.
 */
function spacedVariant(list: readonly string[], n: number): string {
  let text = list[0];
  for (let gap = 0; gap < list.length - 1; gap++) text += (gap < 30 && Math.floor(n / 2 ** gap) % 2 === 1 ? '  ' : ' ') + list[gap + 1];
  return text;
}

/** Each onnxruntime run while recording: its input's dims (sequences, tokens) and milliseconds; undefined: not recording. */
let runLog: { dims: readonly number[]; ms: number }[] | undefined;

/** Times every InferenceSession.run into runLog while it is defined (the sessions' class is shared: only the benchmark's own session may run then). */
function recordRuns(): void {
  const prototype = (ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => Promise<unknown> } }).prototype;
  const run = prototype.run;
  prototype.run = async function (this: unknown, ...args: unknown[]) {
    const start = now();
    try {
      return await run.apply(this, args);
    } finally {
      const feeds = args[0] as Record<string, ort.Tensor | undefined>;
      runLog?.push({ dims: feeds.input_ids?.dims ?? [], ms: now() - start });
    }
  };
}

/** An embedder that times its inner encoder's calls. */
class TimedEmbedder implements SentenceEmbedder {
  /** Milliseconds of each encode call, and the texts of each. */
  readonly spentMs: number[] = [];
  readonly texts: number[] = [];
  /** The texts of the last call. */
  lastTexts: readonly string[] = [];

  constructor(private readonly inner: SentenceEmbedder) {}

  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    const start = now();
    try {
      return await this.inner.encode(texts);
    } finally {
      this.spentMs.push(now() - start);
      this.texts.push(texts.length);
      this.lastTexts = texts;
    }
  }

  /** Encoder milliseconds since the `from`-th call. */
  since(from: number): number {
    return this.spentMs.slice(from).reduce((a, b) => a + b, 0);
  }
}

/**
 * `call` once per round, `rounds` rounds after `warmup`, its round's number passed; `anchor` in every
 * other round, before the call in one and after it in the next such round, so that both see the
 * same machine and neither is always first. Their samples (milliseconds), warm-up left out.
 */
async function interleaved(
  call: (round: number) => Promise<unknown>,
  anchor: () => Promise<unknown>,
  rounds: number,
  warmup: number,
): Promise<[number[], number[]]> {
  const calls: number[] = [];
  const anchors: number[] = [];
  const timed = async (run: () => Promise<unknown>, into: number[], keep: boolean) => {
    const start = now();
    await run();
    if (keep) into.push(now() - start);
  };
  for (let round = -warmup; round < rounds; round++) {
    const keep = round >= 0;
    const position = (((round % 4) + 4) % 4) as 0 | 1 | 2 | 3;
    if (position === 0) await timed(anchor, anchors, keep);
    await timed(() => call(round + warmup), calls, keep);
    if (position === 2) await timed(anchor, anchors, keep);
  }
  return [calls, anchors];
}

/** The scoring service as `npm run demo` runs it, alone, in this process; the operator's client to it. */
async function startScoringService(): Promise<{ client: ScoringServiceClient; address: string; stop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scoring-'));
  // No LLM judge, no telemetry export, no broker, database or Consul of the caller's environment.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL_|SCORING_JUDGE_)/.test(name)));
  const env = {
    ...inherited,
    DATA_DIR: 'memory://',
    MESH_TLS_DIR: path.join(dir, 'tls'),
    MESH_INSECURE_PLAINTEXT: 'false',
    BIND_HOST: '127.0.0.1',
    SCORING_PORT: '0',
    METRICS_PORT: 'off',
    DATABASE_URL: '',
    SCORING_DATABASE_URL: '',
    AMQP_URL: '',
    CONSUL_HTTP_ADDR: '',
    LOG_LEVEL: 'warn',
    // The model's whole work on every call: nothing remembered from the previous one.
    SCORING_TEXT_MEMO_ENTRIES: '0',
  };
  const config = { ...loadConfig(env), dataDir: 'memory://' };
  // Issues the CA, the service's certificate and the operator's into the TLS directory; loads the model before it returns.
  const mesh = await startMesh(config, ['scoring'], silentLogger(), { env });
  const transport = new TransportSecurity(config.transport, silentLogger());
  const channel = transport.channel({ kind: 'operator', name: 'operator' }, 'scoring');
  const address = mesh.address('scoring');
  const client = new ScoringServiceClient(address, channel.credentials, channel.options);
  return {
    client,
    address,
    stop: async () => {
      client.close();
      transport.close();
      await mesh.stop(1_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function analyzeOverGrpc(client: ScoringServiceClient, input: AnswerInput): Promise<AnswerAnalysis> {
  return callUnary(client.analyzeAnswer.bind(client), input, { deadline: new Date(Date.now() + 30_000) });
}

/** The analysis as it travels (scores as float32), for comparing the service's answers with the in-process one. */
function wire(analysis: AnswerAnalysis): string {
  const { relevanceScore, clarityScore, depthScore, keywords, feedback } = analysis;
  return JSON.stringify([Math.fround(relevanceScore), Math.fround(clarityScore), Math.fround(depthScore), keywords, feedback]);
}

function printHeader(): void {
  console.log(machineSummary());
  console.log(
    `versions: Node ${process.version}, onnxruntime-node ${ort.env.versions.node ?? '?'} (onnxruntime-common ${ort.env.versions.common}); libuv thread pool ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  const o = TEXT_SESSION_OPTIONS;
  console.log(
    `onnxruntime session (SentenceEncoder's, in this thread and each of the service's ${DEFAULT_ENCODER_THREADS} encoder threads): intra-op threads ${o.intraOpNumThreads ?? 'default'}, inter-op threads ${o.interOpNumThreads ?? 'default'}, ` +
      `execution ${o.executionMode ?? 'default'}, graph optimisation ${o.graphOptimizationLevel ?? 'default'}, providers ${JSON.stringify(o.executionProviders ?? 'default')}`,
  );
}

async function main(): Promise<void> {
  if (![CALLS, ANALYSES, INTERVIEWS].every((n) => Number.isInteger(n) && n > 0) || !(Number.isInteger(WARMUP) && WARMUP >= 0)) {
    throw new Error('BENCH_CALLS, BENCH_ANALYSES and BENCH_INTERVIEWS must be positive integers, BENCH_WARMUP a non-negative one');
  }
  const started = now();
  if (!process.env.SCORING_TEXT_MODEL_DIR) runScript('scripts/models/ensure-text-model.sh', [], { timeoutMs: 900_000 });
  recordRuns();

  const evalSet = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/answer-relevance-eval.json'), 'utf8')) as { questions: EvalQuestion[] };
  const chosen = evalSet.questions.find((q) => q.id === ANSWER_ID);
  if (!chosen) throw new Error(`BENCH_ANSWER: no question ${ANSWER_ID} in the evaluation set`);
  const answerWords = exactWords(chosen.answers.good, ANSWER_WORDS, chosen.answers.weak);
  const base: AnswerInput = { question: chosen.question, answer: answerWords.join(' '), category: chosen.category };
  const interviewQuestions = evalSet.questions.slice(0, INTERVIEW_ANSWERS);
  const completed = InterviewCompleted.fromPartial({
    sessionId: 'bench-scoring',
    userId: 'bench',
    totalQuestions: interviewQuestions.length,
    answerCount: interviewQuestions.length,
    answers: interviewQuestions.map((q) => ({
      questionId: q.id,
      question: q.question,
      category: q.category,
      transcript: q.answers.good,
      durationSeconds: 60,
      confidence: 0.9,
    })),
  });

  // Nothing remembered (the service remembers short texts, SCORING_TEXT_MEMO_ENTRIES, here 0): every figure is the model's whole work.
  const encoder = await SentenceEncoder.load();
  // The interview (3) as the service embeds: on its worker threads.
  const pool = await EncoderPool.start(textModelDir(), DEFAULT_ENCODER_THREADS);
  const service = await startScoringService();
  printHeader();
  try {
    // What one analysis of the answer asks of the model.
    const probe = new TimedEmbedder(encoder);
    const reference = await measureAnswer(base, probe);
    const pieces = encoder.tokenizer.pieces(base.answer).length;
    console.log(
      `answer: ${ANSWER_ID}'s good answer as exactly ${ANSWER_WORDS} words (${reference.wordCount} words by winkNLP, ${pieces} word pieces, ${base.answer.length} characters); category ${base.category}`,
    );
    const lengths: number[] = [];
    for (const text of probe.lastTexts) lengths.push(...encoder.windows(text).map((w) => w.ids.length));
    const batches = lengthBatches(
      lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a]),
      (i) => lengths[i],
    );
    console.log(
      `  one analysis = one encode call of ${probe.texts[0]} texts (question, sentences, keyword candidates): ${batches.length} onnxruntime runs, batches of ${batches
        .map((b) => `${b.length}x${lengths[b[0]]}`)
        .join(', ')} (sequences x tokens)`,
    );
    console.log('');

    // 1 and 4: AnalyzeAnswer over gRPC, interleaved with the anchor (the encoder alone on the answer as one text).
    const responses = new Map<string, number>();
    const [rpcSamples, anchorSamples] = await interleaved(
      async (round) => {
        const response = wire(await analyzeOverGrpc(service.client, { ...base, answer: spacedVariant(answerWords, round) }));
        responses.set(response, (responses.get(response) ?? 0) + 1);
      },
      () => encoder.encode([base.answer]),
      CALLS,
      WARMUP,
    );
    const rounds = CALLS + WARMUP;
    const rpc = stats(rpcSamples);
    const anchor = stats(anchorSamples);

    // 2: the model's share of an in-process analysis.
    const timed = new TimedEmbedder(encoder);
    const totals: number[] = [];
    const model: number[] = [];
    const rest: number[] = [];
    const shares: number[] = [];
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    let analysisCpuBefore = [NaN, NaN];
    for (let i = -WARMUP; i < ANALYSES; i++) {
      if (i === 0) {
        analysisCpuBefore = [processCpuMs(process.pid), processCpuMs(process.pid, true)];
        runLog = [];
        loopDelay.enable();
      }
      const from = timed.spentMs.length;
      const start = now();
      await measureAnswer(base, timed);
      const total = now() - start;
      const inModel = timed.since(from);
      if (i < 0) continue;
      totals.push(total);
      model.push(inModel);
      rest.push(total - inModel);
      shares.push(inModel / total);
    }
    loopDelay.disable();
    const analysisCpu = [processCpuMs(process.pid) - analysisCpuBefore[0], processCpuMs(process.pid, true) - analysisCpuBefore[1]].map((c) => c / ANALYSES);
    const runs = runLog ?? [];
    runLog = undefined;
    const runShapes = [...new Set(runs.map((r) => r.dims.join('x')))].map((shape) => ({
      shape,
      ms: percentiles(runs.filter((r) => r.dims.join('x') === shape).map((r) => r.ms)).p50,
    }));

    // 3: a 10-answer interview, a fresh analyzer each run.
    const interviewMs: number[] = [];
    for (let i = -INTERVIEW_WARMUP; i < INTERVIEWS; i++) {
      const embedder = new TimedEmbedder(pool);
      const analyzer = new AnswerAnalyzer(provided<SentenceEmbedder>(embedder), undefined);
      const start = now();
      const answers = await analyzeAnswers(analyzer, completed);
      const elapsed = now() - start;
      if (answers.length !== INTERVIEW_ANSWERS || embedder.spentMs.length !== INTERVIEW_ANSWERS)
        throw new Error('the interview was not analysed answer by answer');
      if (i < 0) continue;
      interviewMs.push(elapsed);
    }

    const expected = wire(reference.analysis);
    const interviewWords = interviewQuestions.map((q) => words(q.answers.good).length);
    console.log(`1. AnalyzeAnswer over gRPC (mTLS, as the operator; the service in this process: PGlite in memory, in-process bus)`);
    console.log(`   ${CALLS} sequential calls after ${WARMUP} warm-up, an anchor call before or after every other one (milliseconds)`);
    console.log(`${''.padEnd(48)} ${'median'.padStart(8)} ${'p99'.padStart(8)}`);
    console.log(`${'   AnalyzeAnswer, 150-word answer'.padEnd(48)} ${ms(rpc.median)} ${ms(rpc.p99)}`);
    const same = responses.get(expected) ?? 0;
    console.log(
      `   responses: ${responses.size} distinct; ${same} of ${rounds} identical to the in-process analysis (relevance ${reference.analysis.relevanceScore}, clarity ${reference.analysis.clarityScore}, depth ${reference.analysis.depthScore})`,
    );
    console.log('');
    const total = stats(totals);
    const inModel = stats(model);
    const other = stats(rest);
    console.log(`2. the model's share of one analysis in process (measureAnswer, the encoder timed), ${ANALYSES} analyses after ${WARMUP} warm-up`);
    console.log(`${''.padEnd(48)} ${'median'.padStart(8)} ${'p99'.padStart(8)}`);
    console.log(`${'   whole analysis (measureAnswer)'.padEnd(48)} ${ms(total.median)} ${ms(total.p99)}`);
    console.log(`${'   model (SentenceEncoder.encode, 1 call)'.padEnd(48)} ${ms(inModel.median)} ${ms(inModel.p99)}`);
    console.log(`${'   winkNLP + rest (analysis - model)'.padEnd(48)} ${ms(other.median)} ${ms(other.p99)}`);
    console.log(
      `   model's share: ${(100 * stats(shares).median).toFixed(1)} % of the analysis (median of the analyses' shares); winkNLP + rest ${(100 * (1 - stats(shares).median)).toFixed(1)} %`,
    );
    console.log(`   onnxruntime runs per analysis, median each: ${runShapes.map((r) => `${r.shape} ${r.ms.toFixed(1)} ms`).join(', ')} (sequences x tokens)`);
    console.log(
      `   CPU per analysis (this process, /proc, 10 ms ticks): ${analysisCpu[0].toFixed(1)} ms all threads, of which ${analysisCpu[1].toFixed(1)} ms on the main thread (the event loop's)`,
    );
    console.log(
      `   event loop delay meanwhile: max ${(loopDelay.max / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms (onnxruntime-node ${ort.env.versions.node ?? '?'}'s run is synchronous on the calling thread, after a setImmediate)`,
    );
    console.log(`   gRPC, TLS and the service around it: AnalyzeAnswer median - analysis median = ${(rpc.median - total.median).toFixed(2)} ms`);
    console.log('');
    const interview = percentiles(interviewMs);
    const slowest = Math.max(...interviewMs);
    const pass = slowest < TARGET_INTERVIEW_MS;
    console.log(
      `3. a ${INTERVIEW_ANSWERS}-answer interview: the evaluation set's first ${INTERVIEW_ANSWERS} good answers (${Math.min(...interviewWords)}-${Math.max(...interviewWords)} words), analyzeAnswers with a fresh AnswerAnalyzer on the service's EncoderPool (${DEFAULT_ENCODER_THREADS} worker threads, nothing remembered), ${INTERVIEWS} runs after ${INTERVIEW_WARMUP} warm-up`,
    );
    console.log(
      `   median ${interview.p50.toFixed(1)} ms, max ${slowest.toFixed(1)} ms (${(interview.p50 / INTERVIEW_ANSWERS).toFixed(1)} ms per answer, ${DEFAULT_ENCODER_THREADS} at a time)`,
    );
    console.log(`   target: under ${TARGET_INTERVIEW_MS} ms for the whole interview, every run: ${pass ? 'PASS' : 'FAIL'}`);
    console.log('');
    console.log(
      `4. anchor: SentenceEncoder.encode of the 150-word answer as one text (${pieces + 2} tokens, one onnxruntime run), ${anchorSamples.length} calls interleaved with section 1's`,
    );
    console.log(`${''.padEnd(48)} ${'median'.padStart(8)} ${'p99'.padStart(8)}`);
    console.log(`${'   encoder alone, answer as one text'.padEnd(48)} ${ms(anchor.median)} ${ms(anchor.p99)}`);
    console.log(
      `   ratio AnalyzeAnswer median / anchor median: ${(rpc.median / anchor.median).toFixed(2)}; in-process analysis / anchor: ${(total.median / anchor.median).toFixed(2)}`,
    );
    console.log('');
    console.log(
      `${pass ? 'PASS' : 'FAIL'}: a ${INTERVIEW_ANSWERS}-answer interview in ${slowest.toFixed(0)} ms at most (target < ${TARGET_INTERVIEW_MS} ms); bench took ${((now() - started) / 1_000).toFixed(1)} s`,
    );
  } finally {
    await pool.close();
    await service.stop();
    await encoder.release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
