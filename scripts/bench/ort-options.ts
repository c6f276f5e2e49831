/**
 * `npm run bench:ort-options`: each model's median and p99 (milliseconds) under ONNX Runtime
 * session options, at batch 1 and, for the mesh and the classifier, batch 8 (per frame), on the
 * benchmark frame's face. Figures only; the emotion service's choice is recorded in
 * src/platform/onnx/session-options.ts.
 *
 * Environment: BENCH_CALLS (default 200) calls per figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { REPO_ROOT } from '../../src/platform/paths';
import { EmotionClassifier } from '../../src/services/emotion/domain/expression/emotion-classifier';
import { FaceDetector } from '../../src/platform/vision/face/face-detector';
import { FaceMeshModel } from '../../src/platform/vision/face/face-mesh';
import { decodeFrame } from '../../src/platform/vision/image/decode-frame';
import { MODEL_FILES } from '../../src/services/emotion/models/load-models';
import { OnnxModel } from '../../src/platform/vision/models/onnx-model';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);

const OPTIONS: [string, ort.InferenceSession.SessionOptions][] = [
  ['intra 1, inter 1, sequential, opt all', { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }],
  ['intra 2, inter 1, sequential, opt all', { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }],
  ['intra 1, inter 2, parallel, opt all', { intraOpNumThreads: 1, interOpNumThreads: 2, executionMode: 'parallel', graphOptimizationLevel: 'all' }],
  ['intra 1, inter 1, sequential, opt basic', { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'basic' }],
  [
    'intra 1, inter 1, sequential, opt extended',
    { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'extended' },
  ],
];

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function measure(run: () => Promise<unknown>, perCall: number): Promise<string> {
  for (let i = 0; i < 10; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = now();
    await run();
    samples.push((now() - start) / perCall);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return `${at(0.5).toFixed(2).padStart(8)} ${at(0.99).toFixed(2).padStart(8)}`;
}

async function main(): Promise<void> {
  const astronaut = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/faces/astronaut.png'));
  const jpeg = await sharp(astronaut).resize(640, 480, { fit: 'contain', background: '#000' }).jpeg({ quality: 85 }).toBuffer();
  const image = await decodeFrame(jpeg, 'jpeg');
  const load = (file: string, options: ort.InferenceSession.SessionOptions) => OnnxModel.load(path.join(REPO_ROOT, 'models', file), options);
  console.log(
    `ONNX Runtime session options; ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}; ${CALLS} calls per figure; milliseconds per frame`,
  );
  console.log(`${'options'.padEnd(42)} ${'model'.padEnd(22)} ${'median'.padStart(8)} ${'p99'.padStart(8)}`);
  for (const [name, options] of OPTIONS) {
    const detector = new FaceDetector(await load(MODEL_FILES.faceDetector, options));
    const mesh = new FaceMeshModel(await load(MODEL_FILES.faceMesh, options));
    const classifier = new EmotionClassifier(await load(MODEL_FILES.emotionClassifier, options));
    const [face] = await detector.detect(image);
    const one = [{ image, face }];
    const eight = Array(8).fill(one[0]);
    const rows: [string, () => Promise<unknown>, number][] = [
      ['detection', () => detector.detect(image), 1],
      ['mesh, batch 1', () => mesh.run(one), 1],
      ['mesh, batch 8', () => mesh.run(eight), 8],
      ['emotion, batch 1', () => classifier.classifyBatch(one), 1],
      ['emotion, batch 8', () => classifier.classifyBatch(eight), 8],
    ];
    for (const [model, run, perCall] of rows) console.log(`${name.padEnd(42)} ${model.padEnd(22)} ${await measure(run, perCall)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
