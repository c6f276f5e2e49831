import { IntegrityServiceService } from '../../gen/integrity';
import { AsyncService } from '../../platform/grpc/async-service';
import { ServiceError } from '../../platform/grpc/errors';

/** integrity.v1.IntegrityService: UNIMPLEMENTED until the pipeline and the risk engine are wired (issue 16). */
export function integrityHandlers(): AsyncService<typeof IntegrityServiceService> {
  return {
    analyzeFrame: () => Promise.reject(ServiceError.unimplemented('AnalyzeFrame')),
    getAssessment: () => Promise.reject(ServiceError.unimplemented('GetAssessment')),
  };
}
