import fs from 'node:fs';
import path from 'node:path';
import { ReflectionService } from '@grpc/reflection';
import { FileDescriptorProto, FileDescriptorSet, IFileDescriptorProto } from 'protobufjs/ext/descriptor';
import { REPO_ROOT } from '../paths';

/** Descriptor sets compiled by buf at codegen time (scripts/codegen.sh). */
const DESCRIPTOR_SETS = ['mesh.binpb', 'health.binpb', 'google-rpc.binpb'].map((file) => path.join(REPO_ROOT, 'src', 'gen', 'descriptors', file));

let encodedFiles: Uint8Array[] | undefined;

/** Every FileDescriptorProto of proto/ (with its imports), of grpc.health.v1 and of the google.rpc error details, encoded; read once. */
function descriptorFiles(): Uint8Array[] {
  encodedFiles ??= DESCRIPTOR_SETS.flatMap((file) => {
    const set = FileDescriptorSet.decode(fs.readFileSync(file)) as unknown as { file: IFileDescriptorProto[] };
    return set.file.map((proto) => FileDescriptorProto.encode(proto).finish());
  });
  return encodedFiles;
}

/**
 * Server reflection (v1 and v1alpha, @grpc/reflection) listing only `services` plus
 * grpc.health.v1.Health, so grpcurl can list, describe and call them with no .proto files at hand,
 * and decode the google.rpc details of an error status (a rate limit's RetryInfo and ErrorInfo).
 *
 * The descriptors are buf's, not proto-loader's: @grpc/reflection reads the `fileDescriptorProtos`
 * of whatever package definition it is given, and proto-loader's re-encoded ones lose the imports of
 * well-known types and misname map entries, which grpcurl rejects ("cannot resolve type
 * *.google.protobuf.Timestamp", grpc-node issue 2958). So it is given buf's exact files instead.
 */
export function createReflectionService(services: readonly string[]): ReflectionService {
  const definition = { descriptors: { fileDescriptorProtos: descriptorFiles() } } as unknown as ConstructorParameters<typeof ReflectionService>[0];
  return new ReflectionService(definition, { services: [...services, 'grpc.health.v1.Health'] });
}
