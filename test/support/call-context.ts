import { Metadata } from '@grpc/grpc-js';
import { CallContext } from '../../src/platform/grpc/call-context';
import { silentLogger } from '../../src/platform/log/logger';

/** A handler's CallContext for a test calling it directly: `method`, no deadline, no caller, a signal never aborted, logs dropped. */
export function testCallContext(method: string): CallContext {
  return {
    method,
    metadata: new Metadata(),
    deadline: undefined,
    signal: new AbortController().signal,
    peer: 'test',
    caller: undefined,
    log: silentLogger(),
  };
}
