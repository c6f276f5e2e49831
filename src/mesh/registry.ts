import { AnyServiceDescriptor } from '../platform/service/descriptor';
import { authService } from '../services/auth';
import { emotionService } from '../services/emotion';
import { gatewayService } from '../services/gateway';
import { integrityService } from '../services/integrity';
import { interviewService } from '../services/interview';
import { notifierService } from '../services/notifier';
import { scoringService } from '../services/scoring';

/**
 * The services of the mesh, one line each: adding a service is its folder under src/services/
 * and a line here (docs/architecture.md). The order breaks ties in the start order, which
 * otherwise starts each service after the downstreams it declares.
 */
export const SERVICES: readonly AnyServiceDescriptor[] = [
  emotionService,
  integrityService,
  scoringService,
  notifierService,
  authService,
  interviewService,
  gatewayService,
];

/** The registered services' names, in registry order. */
export const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);
