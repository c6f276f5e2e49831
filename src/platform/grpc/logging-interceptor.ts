import { status } from '@grpc/grpc-js';
import { ServerInterceptor } from './async-service';
import { toStatus } from './errors';

/** Logs every call once it ends: method, status code, duration in milliseconds. */
export const loggingInterceptor: ServerInterceptor = async (ctx, next) => {
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  try {
    await next();
    ctx.log.debug({ code: 'OK', ms: elapsedMs() }, 'call ended');
  } catch (error) {
    const { code, details } = toStatus(error);
    const level = code === status.INTERNAL ? 'error' : 'info';
    ctx.log[level]({ code: status[code], details, ms: elapsedMs(), peer: ctx.peer }, 'call failed');
    throw error;
  }
};
