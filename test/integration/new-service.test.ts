/**
 * Adding a service is its folder and a line in a registry: test/fixtures/tally-service is a service
 * the platform has never heard of. Added to the registry here, on real PostgreSQL, RabbitMQ and
 * Consul (ACLs on: it registers with a token of its own), it migrates its own schema, serves health,
 * registers in Consul with a passing gRPC check,
 * consumes interview.completed from a queue of its own, and calls the scoring service through the
 * downstream client the composition root built for it.
 */
import { TEST_MESH_ENV } from '../support/mesh-env';
import { Client } from 'pg';
import { AmqpBus } from '../../src/platform/bus/amqp-bus';
import { EventOwners } from '../../src/platform/bus/broker-identity';
import { encodeEvent, EVENTS } from '../../src/platform/bus/event-catalog';
import { loadConfig } from '../../src/platform/config/mesh-config';
import { silentLogger } from '../../src/platform/log/logger';
import { CALL_POLICY } from '../../src/mesh/call-policy';
import { SERVICES } from '../../src/mesh/registry';
import { Mesh, startMesh } from '../../src/mesh/start-mesh';
import { CallPolicy } from '../../src/platform/tls/call-policy';
import { tallyService } from '../fixtures/tally-service';
import { ConsulAgent, startConsulAgent } from '../support/consul-agent';
import { checkHealth } from '../support/grpc-clients';
import { createTestDatabase, createTestVhost, Disposable, INTEGRATION_SERVERS, serviceBrokerEnv } from '../support/infrastructure';

import { waitFor } from '../support/wait';

jest.setTimeout(180_000);

describe('a service added by its descriptor alone', () => {
  const registry = [...SERVICES, tallyService];
  let consul: ConsulAgent;
  let database: Disposable<string>;
  let vhost: Disposable<string>;
  let mesh: Mesh | undefined;
  let sql: Client;

  beforeAll(async () => {
    [consul, database, vhost] = await Promise.all([
      // ACLs on: tally gets a token of its own, as `npm run consul:provision -- --service tally` would give it.
      startConsulAgent({ services: registry.map((s) => s.name) }),
      createTestDatabase(),
      // Tally gets a broker user of its own, as `npm run broker:provision` run with its descriptor registered would give it.
      createTestVhost(INTEGRATION_SERVERS, { services: registry }),
    ]);
    sql = new Client({ connectionString: database.value });
    await sql.connect();
  });

  afterAll(async () => {
    await mesh?.stop(2_000);
    await sql.end();
    await consul.stop();
    await Promise.all([database.dispose(), vhost.dispose()]);
  });

  it('migrates, serves, registers in Consul, consumes its queue and calls its downstream', async () => {
    const env = {
      DATABASE_URL: database.value,
      // TALLY_AMQP_URL, SCORING_AMQP_URL, …: each service its own broker user.
      ...serviceBrokerEnv(vhost.value),
      BIND_HOST: '127.0.0.1',
      CONSUL_HTTP_ADDR: consul.httpAddr,
      // TALLY_CONSUL_TOKEN, SCORING_CONSUL_TOKEN (both in this one process), CONSUL_RESOLVER_TOKEN.
      ...consul.tokenEnv,
      CONSUL_CHECK_INTERVAL_MS: '500',
      ...TEST_MESH_ENV,
    };
    const config = loadConfig(env);
    // Tally serves no gRPC service of its own (health only, open to every client of the mesh's CA),
    // but calls the scoring service's AnalyzeAnswer: the call policy lets it, as it would a new caller.
    const policy: CallPolicy = {
      ...CALL_POLICY,
      'scoring.ScoringService': { ...CALL_POLICY['scoring.ScoringService'], AnalyzeAnswer: ['service:tally', 'operator'] },
    };
    mesh = await startMesh(config, ['tally', 'scoring'], silentLogger(), {
      env,
      registry,
      policy,
      overrides: { tally: { port: 0 }, scoring: { port: 0 } },
    });
    const address = mesh.address('tally');

    // Its schema, migrated under its own name.
    const migrations = await sql.query<{ name: string }>('select name from tally.kysely_migration order by name');
    expect(migrations.rows.map((r) => r.name)).toEqual(['0001_completions', '0002_outbox_inbox', '0003_outbox_trace_context', '0004_outbox_content_type']);

    // Serving, and in Consul with a passing gRPC health check, under its tags.
    expect(await checkHealth(address)).toBe('SERVING');
    await waitFor('tally to pass its Consul check', async () => (await consul.passing('tally')).length === 1, 30_000, 200);
    expect(await consul.passing('tally')).toEqual([address]);
    const [registration] = (await consul.client.health.service({ service: 'tally', passing: true })) as { Service: { Tags: string[] } }[];
    expect(registration.Service.Tags).toEqual(['test', 'grpc']);

    // Its queue, bound by the topology the registry gave the broker: a completion reaches it.
    // Published as the interview service's user, the owner of interview.completed: tally takes it from no one else.
    const brokerEnv = serviceBrokerEnv(vhost.value);
    const bus = await AmqpBus.connect({
      url: brokerEnv.INTERVIEW_AMQP_URL,
      log: silentLogger(),
      topology: {},
      owners: EventOwners.of(registry, brokerEnv.AMQP_USER_PREFIX),
    });
    try {
      const completed = encodeEvent(
        EVENTS.completed,
        {
          sessionId: 'a1b2c3d4-0000-4000-8000-000000000001',
          userId: 'candidate-1',
          completedAt: new Date(),
          totalDuration: 60,
          answerCount: 1,
          startedAt: new Date(),
          totalQuestions: 1,
          framesSent: 0,
          answers: [
            {
              questionId: 'q1',
              question: 'How would you design a rate limiter for an API?',
              category: 'system_design',
              transcript: 'I would use a token bucket per client key, kept in Redis so that every API replica shares the same counters.',
              durationSeconds: 30,
              confidence: 0.9,
              answeredAt: new Date(),
            },
          ],
        },
        'a1b2c3d4-0000-4000-8000-000000000001',
      );
      await bus.publish(completed.routingKey, completed.body, completed.properties);
    } finally {
      await bus.close();
    }
    await waitFor('the tally to record the completion', async () => (await sql.query('select 1 from tally.completions')).rowCount === 1, 30_000);
    const { rows } = await sql.query<{ answers: number; first_relevance: number }>('select answers, first_relevance from tally.completions');
    expect(rows[0].answers).toBe(1);
    // The scoring service's own judgement, reached through the client the root built from the declared downstream.
    expect(rows[0].first_relevance).toBeGreaterThan(0);
    expect(rows[0].first_relevance).toBeLessThanOrEqual(100);
  });
});
