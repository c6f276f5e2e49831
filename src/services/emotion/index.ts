import { ROUTING_KEYS } from '../../platform/bus/event-catalog';
import { defineService, NO_DOWNSTREAMS } from '../../platform/service/descriptor';
import { ANALYSIS_QUEUE } from './consumers';
import { emotionMigrations } from './migrations';
import { ANALYSIS_POOL, startEmotion } from './server';
import { emotionSettings } from './settings';

/**
 * The emotion service: serves emotion.EmotionService (NOT_SERVING, and UNAVAILABLE to calls, until
 * the models are loaded and verified), consumes `emotion.analysis`, publishes
 * interview.emotion.analyzed.
 */
export const emotionService = defineService({
  name: 'emotion',
  defaultPort: 50052,
  migrations: emotionMigrations,
  consumes: [{ queue: ANALYSIS_QUEUE, bindings: [ROUTING_KEYS.frameCaptured], prefetch: 4 }],
  publishes: [ROUTING_KEYS.emotionAnalyzed],
  consulTags: ['ml', 'grpc'],
  grpcServices: ['emotion.EmotionService'],
  downstreams: NO_DOWNSTREAMS,
  settings: emotionSettings,
  resource: ANALYSIS_POOL,
  start: startEmotion,
});
