import { ROUTING_KEYS } from '../../platform/bus/event-catalog';
import { defineService, NO_DOWNSTREAMS } from '../../platform/service/descriptor';
import { FRAMES_QUEUE } from './consumers';
import { integrityMigrations } from './migrations';
import { INTEGRITY_MODELS, startIntegrity } from './server';
import { integritySettings } from './settings';

/**
 * The integrity service (issue 16): serves integrity.v1.IntegrityService (NOT_SERVING, and
 * UNAVAILABLE to calls, until its models are loaded), consumes `integrity.frames`
 * (interview.frame.captured: the frames sampled for it, about one a second of each interview) into
 * each session's risk, and publishes interview.integrity.flagged for every event that raised it.
 * Internal: mTLS, and the call policy lets scoring read assessments.
 */
export const integrityService = defineService({
  name: 'integrity',
  defaultPort: 50057,
  migrations: integrityMigrations,
  // Two frames in hand: one analysed, one decoded and waiting; a third would only wait longer here than in the queue.
  consumes: [{ queue: FRAMES_QUEUE, bindings: [ROUTING_KEYS.frameCaptured], prefetch: 2 }],
  publishes: [ROUTING_KEYS.integrityFlagged],
  consulTags: ['ml', 'grpc'],
  grpcServices: ['integrity.v1.IntegrityService'],
  downstreams: NO_DOWNSTREAMS,
  settings: integritySettings,
  resource: INTEGRITY_MODELS,
  start: startIntegrity,
});
