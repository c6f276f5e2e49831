import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Delivery } from '../bus/event-bus';
import { EXCHANGE } from '../bus/topology';
import { TRACER_NAME } from './grpc-telemetry';

/** W3C trace context headers (`traceparent`, `tracestate`) as a plain carrier. */
export type TraceCarrier = Readonly<Record<string, string>>;

/** The headers of trace context an event may carry (W3C Trace Context): nothing else is copied. */
export const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

/**
 * The active span's W3C trace context, to store with an outbox row in the transaction that writes
 * it: the event's consumer then continues the trace of the request that caused the event, not the
 * relay's. undefined when no span is active or tracing is off.
 */
export function activeTraceCarrier(): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/** Only the W3C headers of `headers` that are strings: what a consumer extracts its parent from. */
export function traceCarrierOf(headers: Readonly<Record<string, unknown>>): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') carrier[name] = value;
  }
  return Object.keys(carrier).length > 0 ? carrier : undefined;
}

/**
 * Publishes an outbox row's event inside a PRODUCER span (`<routing key> publish`, OpenTelemetry's
 * messaging conventions), child of the trace context stored with the row; `publish` gets the
 * span's own context to send in the message's headers, so the consumer's span is its child.
 */
export async function tracedPublish(
  stored: TraceCarrier | undefined,
  event: { routingKey: string; messageId: string; correlationId: string },
  publish: (carrier: TraceCarrier | undefined) => Promise<void>,
): Promise<void> {
  const parent = stored ? propagation.extract(ROOT_CONTEXT, stored) : ROOT_CONTEXT;
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `${event.routingKey} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'publish',
        'messaging.destination.name': EXCHANGE,
        'messaging.rabbitmq.destination.routing_key': event.routingKey,
        'messaging.message.id': event.messageId,
        'messaging.message.conversation_id': event.correlationId,
      },
    },
    parent,
  );
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  try {
    await publish(Object.keys(carrier).length > 0 ? carrier : stored);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `handle` for a consumed message inside a CONSUMER span (`<queue> process`) whose parent is
 * the trace context the message carries: the publisher's span, so one interview's events continue
 * its trace. The span is active while `handle` runs: its logs, calls and the events it writes
 * carry it.
 */
export async function tracedConsume(service: string, queue: string, delivery: Delivery, handle: () => Promise<void>): Promise<void> {
  const carried = delivery.properties.traceContext;
  const parent = carried ? propagation.extract(ROOT_CONTEXT, carried) : ROOT_CONTEXT;
  const span = trace.getTracer(TRACER_NAME).startSpan(
    `${queue} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': queue,
        'messaging.rabbitmq.destination.routing_key': delivery.routingKey,
        'messaging.message.id': delivery.properties.messageId,
        'messaging.message.conversation_id': delivery.properties.correlationId,
        'mesh.service': service,
        'mesh.attempt': delivery.attempt,
      },
    },
    parent,
  );
  try {
    await context.with(trace.setSpan(parent, span), handle);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}
