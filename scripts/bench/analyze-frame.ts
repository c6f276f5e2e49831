/**
 * `npm run bench:analyze-frame`: the time of one AnalyzeFrame call over gRPC on a 640x480 JPEG with
 * one face, and of its stages in process (decode, face detection, emotion), as median and p99 over
 * many calls, with the ratio of the whole call to the models' own time. Not a test: figures only.
 */
import { credentials, Metadata } from '@grpc/grpc-js';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { EmotionServiceClient } from '../../src/gen/emotion';
import { MemoryBus } from '../../src/platform/bus/memory-bus';
import { loadConfig } from '../../src/platform/config/mesh-config';
import { openDatabase } from '../../src/platform/db/database';
import { callUnary } from '../../src/platform/grpc/unary-call';
import { silentLogger } from '../../src/platform/log/logger';
import { REPO_ROOT } from '../../src/platform/paths';
import { migrate } from '../../src/mesh/infrastructure';
import { startEmotionService } from '../../src/services/emotion/server';
import { EmotionClassifier } from '../../src/services/emotion/expression/emotion-classifier';
import { FaceDetector } from '../../src/services/emotion/face/face-detector';
import { decodeFrame } from '../../src/services/emotion/image/decode-frame';
import { loadModels } from '../../src/services/emotion/models/load-models';

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const WARMUP = 20;

function stats(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p99: at(0.99) };
}

async function time(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const start = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

async function main(): Promise<void> {
  const astronaut = fs.readFileSync(path.join(REPO_ROOT, 'test/fixtures/faces/astronaut.png'));
  const jpeg = await sharp(astronaut).resize(640, 480, { fit: 'contain', background: '#000' }).jpeg({ quality: 85 }).toBuffer();

  const models = await loadModels(path.join(REPO_ROOT, 'models'));
  const detector = new FaceDetector(models.faceDetector);
  const classifier = new EmotionClassifier(models.emotionClassifier);
  const image = await decodeFrame(jpeg, 'jpeg');
  const [face] = await detector.detect(image);
  if (!face) throw new Error('no face found in the benchmark frame');

  const decode = stats(await time(() => decodeFrame(jpeg, 'jpeg')));
  const detection = stats(await time(() => detector.detect(image)));
  const emotion = stats(await time(() => classifier.classify(image, face)));

  const log = silentLogger();
  const db = await openDatabase({ url: undefined, dataDir: 'memory://', log });
  await migrate(db, ['emotion'], log);
  const bus = new MemoryBus(log);
  const service = await startEmotionService({ config: { ...loadConfig({}), bindHost: '127.0.0.1' }, log, db, bus }, 0);
  const client = new EmotionServiceClient(service.server.address, credentials.createInsecure());
  const request = { sessionId: 'bench', imageData: jpeg, timestamp: 0, format: 'jpeg' };
  const rpc = stats(await time(() => callUnary(client.analyzeFrame.bind(client), request, { deadline: new Date(Date.now() + 5_000), metadata: new Metadata() })));
  client.close();
  await service.stop(1_000);
  await db.close();
  await models.release();

  const row = (name: string, s: { median: number; p99: number }) => console.log(`${name.padEnd(28)} ${s.median.toFixed(2).padStart(8)} ${s.p99.toFixed(2).padStart(8)}`);
  console.log(`AnalyzeFrame on a 640x480 JPEG with one face, ${CALLS} calls after ${WARMUP} warm-up (milliseconds)`);
  console.log(`${'stage'.padEnd(28)} ${'median'.padStart(8)} ${'p99'.padStart(8)}`);
  row('decode (sharp)', decode);
  row('face detection (BlazeFace)', detection);
  row('emotion (mini-Xception)', emotion);
  row('AnalyzeFrame over gRPC', rpc);
  const models_ = detection.median + emotion.median;
  console.log(`ratio AnalyzeFrame median / models' medians (detection + emotion): ${(rpc.median / models_).toFixed(2)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
