import { HealthState } from '../../../src/platform/grpc/health';

describe('HealthState', () => {
  const DEPENDENCY = 'svc.dependency.db';

  it('turns an extra name NOT_SERVING with the server and restores the status last set for it', () => {
    const health = new HealthState(['svc.Service']);
    health.markServing();
    health.set(DEPENDENCY, 'SERVING');
    expect(health.get(DEPENDENCY)).toBe('SERVING');

    health.markNotServing();
    expect(health.get('')).toBe('NOT_SERVING');
    expect(health.get(DEPENDENCY)).toBe('NOT_SERVING');

    health.markServing();
    expect(health.get('')).toBe('SERVING');
    expect(health.get('svc.Service')).toBe('SERVING');
    expect(health.get(DEPENDENCY)).toBe('SERVING');
  });

  it('keeps an extra name set NOT_SERVING so after markServing', () => {
    const health = new HealthState(['svc.Service']);
    health.markServing();
    health.set(DEPENDENCY, 'NOT_SERVING');
    health.markNotServing();
    health.markServing();
    expect(health.get('')).toBe('SERVING');
    expect(health.get(DEPENDENCY)).toBe('NOT_SERVING');
  });

  it('records a status set while not serving and applies it at markServing', () => {
    const health = new HealthState(['svc.Service']);
    health.set(DEPENDENCY, 'SERVING');
    expect(health.get(DEPENDENCY)).toBe('NOT_SERVING');
    health.markServing();
    expect(health.get(DEPENDENCY)).toBe('SERVING');
  });
});
