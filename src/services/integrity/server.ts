import { IntegrityServiceService } from '../../gen/integrity';
import { grpcService, NoDownstreams, ServiceContext, ServiceParts } from '../../platform/service/descriptor';
import { FRAMES_QUEUE, framesHandler } from './consumers';
import { integrityHandlers } from './handlers';
import { IntegritySettings } from './settings';

/** The integrity service's wiring (its RPCs UNIMPLEMENTED and its frames acked until the pipeline and risk engine land). */
export function startIntegrity(context: ServiceContext<IntegritySettings, NoDownstreams, undefined>): ServiceParts {
  return {
    grpc: [grpcService('integrity.v1.IntegrityService', IntegrityServiceService, integrityHandlers())],
    consumers: { [FRAMES_QUEUE]: framesHandler({ log: context.log }) },
  };
}
