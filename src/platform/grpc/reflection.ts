import path from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { PROTO_DIR } from '../paths';

/**
 * Server reflection (v1 and v1alpha) for the given files of proto/ plus grpc.health.v1, so grpcurl
 * can list, describe and call every service with no .proto files at hand. The descriptors come from
 * @grpc/proto-loader reading the same .proto files the typed code was generated from; only the
 * services named are listed (interview.proto imports emotion.proto, but the interview server does
 * not serve emotion.EmotionService).
 */
export function createReflectionService(protoFiles: readonly string[], services: readonly string[]): ReflectionService {
  const definition = loadSync([...protoFiles, healthProtoPath], {
    includeDirs: [PROTO_DIR, path.dirname(healthProtoPath)],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return new ReflectionService(definition, { services: [...services, 'grpc.health.v1.Health'] });
}
