import { trace } from '@opentelemetry/api';
import pino from 'pino';

/** Structured JSON logs (pino). One root logger per process; services and calls take children. */
export type Logger = pino.Logger;

export interface LoggerOptions {
  level: string;
  /** A file to append to instead of stdout (the demo keeps its terminal for progress). */
  file?: string;
}

/**
 * The root logger. Every line written while a span is active (a call's, a consumed message's)
 * carries its `trace_id` and `span_id` (W3C hex), so logs and traces join.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false }) : pino.destination(1);
  return pino({ level: options.level, base: { pid: process.pid }, mixin: traceIds }, destination);
}

/** The active span's ids, or nothing (no span, or tracing off: the no-op API's spans are invalid). */
export function traceIds(): { trace_id?: string; span_id?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
