import pino from 'pino';

/** Structured JSON logs (pino). One root logger per process; services and calls take children. */
export type Logger = pino.Logger;

export interface LoggerOptions {
  level: string;
  /** A file to append to instead of stdout (the demo keeps its terminal for progress). */
  file?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false }) : pino.destination(1);
  return pino({ level: options.level, base: { pid: process.pid } }, destination);
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
