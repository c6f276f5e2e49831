import { loadConfig } from '../../../src/platform/config/mesh-config';
import { consulTokenEnv, ConsulTokens } from '../../../src/platform/discovery';
import { servicePolicyRules, RESOLVER_POLICY_RULES } from '../../../src/platform/discovery/acl';

describe('Consul ACL tokens', () => {
  it('gives a service its own <SERVICE>_CONSUL_TOKEN, else CONSUL_HTTP_TOKEN, and the resolver CONSUL_RESOLVER_TOKEN, else CONSUL_HTTP_TOKEN', () => {
    const tokens = ConsulTokens.fromEnv({ CONSUL_HTTP_TOKEN: 'shared', EMOTION_CONSUL_TOKEN: 'emotion-secret', CONSUL_RESOLVER_TOKEN: 'reader' });
    expect(tokens.forService('emotion')).toEqual({ secret: 'emotion-secret', variable: 'EMOTION_CONSUL_TOKEN' });
    expect(tokens.forService('scoring')).toEqual({ secret: 'shared', variable: 'CONSUL_HTTP_TOKEN' });
    expect(tokens.resolver()).toEqual({ secret: 'reader', variable: 'CONSUL_RESOLVER_TOKEN' });
    expect(ConsulTokens.fromEnv({ CONSUL_HTTP_TOKEN: 'shared' }).resolver()).toEqual({ secret: 'shared', variable: 'CONSUL_HTTP_TOKEN' });
    const none = ConsulTokens.fromEnv({ SCORING_CONSUL_TOKEN: ' ' });
    expect(none.forService('scoring')).toEqual({ secret: undefined, variable: 'SCORING_CONSUL_TOKEN or CONSUL_HTTP_TOKEN' });
    expect(none.resolver().secret).toBeUndefined();
  });

  it('never shows a token when the configuration is serialised', () => {
    const config = loadConfig({ CONSUL_HTTP_TOKEN: 'secret-1', INTERVIEW_CONSUL_TOKEN: 'secret-2', CONSUL_RESOLVER_TOKEN: 'secret-3' });
    const serialised = JSON.stringify(config);
    expect(serialised).not.toMatch(/secret-/);
    expect((JSON.parse(serialised) as { consulTokens: unknown }).consulTokens).toEqual({
      set: ['CONSUL_HTTP_TOKEN', 'CONSUL_RESOLVER_TOKEN', 'INTERVIEW_CONSUL_TOKEN'],
    });
  });

  it("writes a service's policy for its own name only, and the resolver's for reading", () => {
    expect(servicePolicyRules('emotion')).toBe(
      ['service "emotion" {\n  policy = "write"\n}', 'service_prefix "" {\n  policy = "read"\n}', 'node_prefix "" {\n  policy = "read"\n}'].join('\n'),
    );
    expect(RESOLVER_POLICY_RULES).not.toContain('write');
    expect(consulTokenEnv({ services: { emotion: 'a', 'tally-x': 'b' }, resolver: 'c' })).toEqual({
      EMOTION_CONSUL_TOKEN: 'a',
      TALLY_X_CONSUL_TOKEN: 'b',
      CONSUL_RESOLVER_TOKEN: 'c',
    });
  });
});
