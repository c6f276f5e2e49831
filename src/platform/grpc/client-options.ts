import { ChannelOptions } from '@grpc/grpc-js';

/** A method that may be retried: it changes nothing, so a second attempt cannot double an effect. */
export interface IdempotentMethod {
  service: string;
  method: string;
}

/**
 * Channel options for a client of the mesh: round_robin over every address the resolver returns
 * (seed 003 section 9, docs/seeds.md), keepalive, and gRPC's own retry policy (gRFC A6: exponential backoff with
 * full jitter, at most 4 attempts, only on UNAVAILABLE) for the idempotent methods listed. Methods
 * not listed are never retried by the channel.
 */
export function meshChannelOptions(idempotent: readonly IdempotentMethod[] = []): ChannelOptions {
  const serviceConfig = {
    loadBalancingConfig: [{ round_robin: {} }],
    methodConfig: idempotent.length
      ? [
          {
            name: idempotent.map(({ service, method }) => ({ service, method })),
            retryPolicy: {
              maxAttempts: 4,
              initialBackoff: '0.1s',
              maxBackoff: '2s',
              backoffMultiplier: 2,
              retryableStatusCodes: ['UNAVAILABLE'],
            },
          },
        ]
      : [],
  };
  return {
    'grpc.service_config': JSON.stringify(serviceConfig),
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    // Reconnect quickly after a restart of the peer; the default backs off to two minutes.
    'grpc.max_reconnect_backoff_ms': 2_000,
  };
}
