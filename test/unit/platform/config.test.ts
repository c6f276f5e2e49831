import { ConfigError, Env } from '../../../src/platform/config/env';
import { loadConfig } from '../../../src/platform/config/mesh-config';
import { planMesh, ServicePlan } from '../../../src/mesh/mesh-plan';
import { SERVICE_NAMES, SERVICES } from '../../../src/mesh/registry';
import { emotionSettings } from '../../../src/services/emotion/settings';

/** Every registered service planned from `env`, by name. */
function plan(env: Env): Record<string, ServicePlan> {
  return Object.fromEntries(planMesh(loadConfig(env), SERVICES, SERVICE_NAMES, env).map((p) => [p.descriptor.name, p]));
}

const ports = (plans: Record<string, ServicePlan>) => Object.fromEntries(Object.entries(plans).map(([name, p]) => [name, p.port]));
const target = (plans: Record<string, ServicePlan>, service: string, downstream: string) =>
  plans[service].downstreams.find((d) => d.key === downstream)?.target;

describe('configuration', () => {
  it('defaults to the embedded mesh on the documented ports', () => {
    const config = loadConfig({});
    expect(ports(plan({}))).toEqual({ interview: 50051, emotion: 50052, integrity: 50057, scoring: 50053, notifier: 50054, auth: 50055, gateway: 50058 });
    expect(SERVICES.find((s) => s.name === 'interview')?.defaultPort).toBe(50051);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.amqpUrl).toBeUndefined();
    expect(target(plan({}), 'interview', 'emotion')).toBe('127.0.0.1:50052');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('switches to real servers and other ports from the environment', () => {
    const env = { DATABASE_URL: 'postgres://u:p@db:5432/mesh', AMQP_URL: 'amqp://mq', EMOTION_PORT: '6000', EMOTION_ADDR: 'consul://emotion' };
    const config = loadConfig(env);
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/mesh');
    expect(config.amqpUrl).toBe('amqp://mq');
    expect(plan(env).emotion.port).toBe(6000);
    expect(target(plan(env), 'interview', 'emotion')).toBe('consul://emotion');
  });

  it('fails fast naming the variable that is wrong', () => {
    expect(() => plan({ INTERVIEW_PORT: 'eighty' })).toThrow(new ConfigError('INTERVIEW_PORT must be an integer from 0 to 65535, got "eighty"'));
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must use postgres or postgresql/);
    expect(() => loadConfig({ AMQP_URL: 'not a url' })).toThrow(/AMQP_URL must be a URL/);
    expect(() => plan({ EMOTION_DEADLINE_MS: '10' })).toThrow(new ConfigError('EMOTION_DEADLINE_MS must be an integer from 50 to 60000, got "10"'));
  });

  it('leaves EMOTION_MAX_WAITING_FRAMES to the service when unset or blank, and checks it when set', () => {
    expect(emotionSettings({}).maxWaitingFrames).toBeUndefined();
    expect(emotionSettings({ EMOTION_MAX_WAITING_FRAMES: ' ' }).maxWaitingFrames).toBeUndefined();
    expect(emotionSettings({ EMOTION_MAX_WAITING_FRAMES: '4' }).maxWaitingFrames).toBe(4);
    expect(() => plan({ EMOTION_MAX_WAITING_FRAMES: '0' })).toThrow(new ConfigError('EMOTION_MAX_WAITING_FRAMES must be an integer from 1 to 100000, got "0"'));
  });
});
