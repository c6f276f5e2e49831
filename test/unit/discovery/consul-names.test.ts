// grpc-js's own URI parser (not exported publicly), so that targets are read as a channel reads them.
import { parseUri } from '@grpc/grpc-js/build/src/uri-parser';
import { ConfigError, Env } from '../../../src/platform/config/env';
import { loadConfig } from '../../../src/platform/config/mesh-config';
import { instanceId, parseConsulAddress, parseConsulTarget } from '../../../src/platform/discovery';
import { planMesh } from '../../../src/mesh/mesh-plan';
import { SERVICES } from '../../../src/mesh/registry';

const target = (uri: string) => {
  const parsed = parseUri(uri);
  if (!parsed) throw new Error(`unparsable ${uri}`);
  return parsed;
};

describe('Consul names', () => {
  it('reads CONSUL_HTTP_ADDR as the Consul CLI does', () => {
    expect(parseConsulAddress('127.0.0.1:8500')).toEqual({ host: '127.0.0.1', port: 8500, secure: false });
    expect(parseConsulAddress('consul')).toEqual({ host: 'consul', port: 8500, secure: false });
    expect(parseConsulAddress('http://consul:18500')).toEqual({ host: 'consul', port: 18500, secure: false });
    expect(parseConsulAddress('https://consul.example')).toEqual({ host: 'consul.example', port: 443, secure: true });
    expect(parseConsulAddress('[::1]:8500')).toEqual({ host: '::1', port: 8500, secure: false });
    expect(() => parseConsulAddress('unix:///var/run/consul.sock')).toThrow(new ConfigError('CONSUL_HTTP_ADDR must use http or https, got "unix"'));
    expect(() => parseConsulAddress('http://consul:8500/v1')).toThrow(ConfigError);
  });

  it('reads consul: targets: the service, and the agent when the target names one', () => {
    expect(parseConsulTarget(target('consul:///emotion'))).toEqual({ service: 'emotion', agent: undefined });
    expect(parseConsulTarget(target('consul://emotion'))).toEqual({ service: 'emotion', agent: undefined });
    expect(parseConsulTarget(target('consul://10.0.0.5:8500/emotion'))).toEqual({ service: 'emotion', agent: { host: '10.0.0.5', port: 8500, secure: false } });
    expect(() => parseConsulTarget(target('consul:///emotion/extra'))).toThrow(
      'consul target must be consul:///<service> or consul://<agent host:port>/<service>, got "consul:///emotion/extra"',
    );
    expect(() => parseConsulTarget(target('consul:///'))).toThrow(/consul target must be/);
  });

  it('gives each instance an id unique per address and port, stable across restarts', () => {
    expect(instanceId('emotion', '10.1.2.3', 50052)).toBe('emotion-10.1.2.3-50052');
    expect(instanceId('emotion', 'fe80::1', 50052)).toBe('emotion-fe80--1-50052');
  });

  it('resolves downstreams through Consul when CONSUL_HTTP_ADDR is set, unless an address is given', () => {
    const emotionTarget = (env: Env) => planMesh(loadConfig(env), SERVICES, ['interview'], env)[0].downstreams.find((d) => d.key === 'emotion')?.target;
    const scoringTarget = (env: Env) => planMesh(loadConfig(env), SERVICES, ['interview'], env)[0].downstreams.find((d) => d.key === 'scoring')?.target;
    expect(loadConfig({ CONSUL_HTTP_ADDR: '127.0.0.1:8500' })).toMatchObject({ consulCheckIntervalMs: 10_000, consulDeregisterAfterMs: 60_000 });
    expect(emotionTarget({ CONSUL_HTTP_ADDR: '127.0.0.1:8500' })).toBe('consul:///emotion');
    expect(scoringTarget({ CONSUL_HTTP_ADDR: '127.0.0.1:8500' })).toBe('consul:///scoring');
    expect(emotionTarget({ CONSUL_HTTP_ADDR: '127.0.0.1:8500', EMOTION_ADDR: '10.0.0.9:50052' })).toBe('10.0.0.9:50052');
    expect(emotionTarget({})).toBe('127.0.0.1:50052');
    expect(() => loadConfig({ CONSUL_DEREGISTER_AFTER_MS: '1000' })).toThrow(/CONSUL_DEREGISTER_AFTER_MS must be an integer from 60000/);
  });
});
