/**
 * `npm run bench:integrity`: the integrity service's frame analysis (analyzeFrameIntegrity:
 * full-range BlazeFace, face mesh, head pose, iris and gaze, CenterNet) in this process, on the
 * benchmarks' 640x480 JPEG with one face (bench-frame.ts) and on the test photographs
 * (test/fixtures/faces, test/fixtures/people). Not a test: figures only (the machine is shared, so
 * run it more than once).
 *
 * Each round, for each frame: decode (decodeFrame, as the service decodes), the analysis with the
 * object detector, then decode and the analysis without it, so that both see the same machine. Prints
 * a markdown table, in milliseconds, median / p99 over the rounds after the warm-up: each stage
 * (decode; then analyzeFrameIntegrity's own timings: faces, mesh, pose, gaze, objects; a stage
 * includes its input preparation and output decoding, and a stage that did not run, no face, counts
 * 0), the total per frame (decode and analysis, wall clock) with and without objects, and this
 * process's CPU time per frame (process.cpuUsage: every thread, libvips's included) with and
 * without. The sampled frame is the cost of an analysed frame when the detector runs on every
 * INTEGRITY_OBJECTS_EVERY-th one (the service's setting, default 2): (with + (N - 1) x without) / N
 * of the medians, in wall clock and in CPU; frames per second per core is 1000 over the sampled CPU
 * milliseconds (ONNX Runtime runs each model on one thread: ONE_THREAD_SESSION_OPTIONS). Set beside
 * seed 004's "< 70 ms latency per frame" (its whole per-frame analysis).
 *
 * p99 is the nearest rank (of 60 rounds, the slowest). Environment: BENCH_CALLS (default 60) rounds
 * per frame after BENCH_WARMUP (default 5);
 * INTEGRITY_OBJECTS_EVERY (default 2).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../../src/platform/vision/image/decode-frame';
import { REPO_ROOT } from '../../src/platform/paths';
import { analyzeFrameIntegrity, FrameFindings, INTEGRITY_STAGES } from '../../src/services/integrity/domain/frame-integrity';
import { loadIntegrityModels } from '../../src/services/integrity/models/load-models';
import { benchFrame } from './bench-frame';
import { machineSummary } from './machine';
import { percentiles } from './mesh/stats';

const CALLS = Number(process.env.BENCH_CALLS ?? 60);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const OBJECTS_EVERY = Number(process.env.INTEGRITY_OBJECTS_EVERY ?? 2);
/** Seed 004's figure: "< 70ms latency per frame". */
const SEED_FRAME_MS = 70;
/** The photographs, besides the bench frame: test/fixtures/*\/SOURCES.md says what each shows. */
const FIXTURES = [
  'faces/astronaut.png',
  'faces/astronaut-eyes-closed.png',
  'faces/coffee.png',
  'faces/chelsea.png',
  'people/basketball1.png',
  'people/messi5.jpg',
  'people/camera.png',
];

const COLUMNS = ['decode', ...INTEGRITY_STAGES, 'total, objects', 'total, no objects', 'CPU, objects', 'CPU, no objects'] as const;
type Column = (typeof COLUMNS)[number];

const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** A frame's samples per column, milliseconds, and what its last analysis with objects found. */
interface FrameRun {
  readonly name: string;
  readonly samples: Record<Column, number[]>;
  readonly findings: FrameFindings;
}

async function main(): Promise<void> {
  if (!(Number.isInteger(OBJECTS_EVERY) && OBJECTS_EVERY >= 1)) throw new Error(`INTEGRITY_OBJECTS_EVERY must be a whole number >= 1, got ${OBJECTS_EVERY}`);
  if (!(Number.isInteger(CALLS) && CALLS >= 1)) throw new Error(`BENCH_CALLS must be a whole number >= 1, got ${CALLS}`);
  const models = await loadIntegrityModels(path.join(REPO_ROOT, 'models'));
  const frames: [string, Buffer][] = [
    ['bench frame (640x480 JPEG)', await benchFrame()],
    ...FIXTURES.map((name): [string, Buffer] => [name, fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures', name))]),
  ];

  const runs: FrameRun[] = [];
  try {
    for (const [name, bytes] of frames) {
      const samples = Object.fromEntries(COLUMNS.map((c) => [c, [] as number[]])) as Record<Column, number[]>;
      let findings: FrameFindings | undefined;
      for (let round = 0; round < WARMUP + CALLS; round++) {
        const keep = round >= WARMUP;
        for (const objects of [true, false]) {
          const [wall, cpu] = [now(), cpuMs()];
          const image = await decodeFrame(bytes);
          const decoded = now();
          const found = await analyzeFrameIntegrity(models, image, { objects });
          const [wallSpent, cpuSpent] = [now() - wall, cpuMs() - cpu];
          if (objects) findings = found;
          if (!keep) continue;
          samples[objects ? 'total, objects' : 'total, no objects'].push(wallSpent);
          samples[objects ? 'CPU, objects' : 'CPU, no objects'].push(cpuSpent);
          if (!objects) continue;
          samples.decode.push(decoded - wall);
          for (const stage of INTEGRITY_STAGES) samples[stage].push(found.timings[stage]);
        }
      }
      if (!findings) throw new Error(`no analysis of ${name} with objects`);
      runs.push({ name, samples, findings });
    }
  } finally {
    await models.release();
  }

  const median = (xs: number[]) => percentiles(xs).p50;
  const cell = (xs: number[]) => {
    const { p50, p99 } = percentiles(xs);
    return `${p50.toFixed(1)} / ${p99.toFixed(1)}`;
  };
  const sampled = (run: FrameRun, kind: 'total' | 'CPU') =>
    (median(run.samples[`${kind}, objects`]) + (OBJECTS_EVERY - 1) * median(run.samples[`${kind}, no objects`])) / OBJECTS_EVERY;

  console.log(machineSummary());
  console.log(
    `integrity frame analysis in one process, ${CALLS} rounds per frame after ${WARMUP} warm-up; milliseconds, median / p99; objects every ${OBJECTS_EVERY} analysed frame(s) (INTEGRITY_OBJECTS_EVERY)`,
  );
  console.log('');
  const header = ['frame', 'found', ...COLUMNS, 'sampled frame, wall', 'sampled frame, CPU', 'frames/s per core'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const run of runs) {
    const f = run.findings;
    const persons = f.objects.filter((o) => o.label === 'person').length;
    const found = `${f.faces.length} face(s), ${persons} person(s), gaze ${f.gaze?.direction ?? 'none'}`;
    const cpu = sampled(run, 'CPU');
    const row = [run.name, found, ...COLUMNS.map((c) => cell(run.samples[c])), sampled(run, 'total').toFixed(1), cpu.toFixed(1), (1000 / cpu).toFixed(1)];
    console.log(`| ${row.join(' | ')} |`);
  }
  console.log('');
  const bench = runs[0];
  const withObjects = median(bench.samples['total, objects']);
  const sampledWall = sampled(bench, 'total');
  console.log(
    `seed 004: ${SEED_FRAME_MS} ms a frame. Bench frame: ${withObjects.toFixed(1)} ms with objects (${(withObjects / SEED_FRAME_MS).toFixed(2)} x), ` +
      `${median(bench.samples['total, no objects']).toFixed(1)} ms without (${(median(bench.samples['total, no objects']) / SEED_FRAME_MS).toFixed(2)} x), ` +
      `${sampledWall.toFixed(1)} ms a sampled frame (${(sampledWall / SEED_FRAME_MS).toFixed(2)} x); ` +
      `at one analysed frame a second per interview (INTEGRITY_SAMPLE_INTERVAL_MS 1000) a core serves about ${(1000 / sampled(bench, 'CPU')).toFixed(0)} interviews.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
