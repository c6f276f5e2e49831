import { ConfigError } from '../../../src/platform/config/env';
import { DEFAULT_PORTS, loadConfig } from '../../../src/platform/config/mesh-config';

describe('configuration', () => {
  it('defaults to the embedded mesh on the documented ports', () => {
    const config = loadConfig({});
    expect(config.ports).toEqual({ interview: 50051, emotion: 50052, scoring: 50053, notifier: 50054 });
    expect(DEFAULT_PORTS.interview).toBe(50051);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.amqpUrl).toBeUndefined();
    expect(config.emotionTarget).toBe('127.0.0.1:50052');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('switches to real servers and other ports from the environment', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/mesh', AMQP_URL: 'amqp://mq', EMOTION_PORT: '6000', EMOTION_ADDR: 'consul://emotion' });
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/mesh');
    expect(config.amqpUrl).toBe('amqp://mq');
    expect(config.ports.emotion).toBe(6000);
    expect(config.emotionTarget).toBe('consul://emotion');
  });

  it('fails fast naming the variable that is wrong', () => {
    expect(() => loadConfig({ INTERVIEW_PORT: 'eighty' })).toThrow(new ConfigError('INTERVIEW_PORT must be an integer from 0 to 65535, got "eighty"'));
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must use postgres or postgresql/);
    expect(() => loadConfig({ AMQP_URL: 'not a url' })).toThrow(/AMQP_URL must be a URL/);
  });

  it('leaves EMOTION_MAX_WAITING_FRAMES to the service when unset or blank, and checks it when set', () => {
    expect(loadConfig({}).emotionMaxWaitingFrames).toBeUndefined();
    expect(loadConfig({ EMOTION_MAX_WAITING_FRAMES: ' ' }).emotionMaxWaitingFrames).toBeUndefined();
    expect(loadConfig({ EMOTION_MAX_WAITING_FRAMES: '4' }).emotionMaxWaitingFrames).toBe(4);
    expect(() => loadConfig({ EMOTION_MAX_WAITING_FRAMES: '0' })).toThrow(new ConfigError('EMOTION_MAX_WAITING_FRAMES must be an integer from 1 to 100000, got "0"'));
  });
});
