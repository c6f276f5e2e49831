/**
 * The composition root's choice of bus (src/mesh/infrastructure.ts): the in-process bus when no
 * service names RabbitMQ, and on RabbitMQ each service as its own broker user, refused at start-up
 * (ConfigError, before any connection) when its URL is missing or logs in as someone else.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openInfrastructure } from '../../../src/mesh/infrastructure';
import { SERVICES } from '../../../src/mesh/registry';
import { ConfigError } from '../../../src/platform/config/env';
import { loadConfig } from '../../../src/platform/config/mesh-config';
import { silentLogger } from '../../../src/platform/log/logger';
import { EVENTS } from '../../../src/platform/bus/event-catalog';
import { PermissionDeniedError } from '../../../src/platform/errors/domain-errors';

const services = (...names: string[]) => SERVICES.filter((s) => names.includes(s.name));

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens the infrastructure of `names` on a data folder of its own (the embedded default keeps PGlite there). */
async function open(env: Record<string, string>, ...names: string[]) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bus-config-'));
  dataDirs.push(dataDir);
  const full = { DATA_DIR: dataDir, ...env };
  return openInfrastructure(loadConfig(full), SERVICES, services(...names), silentLogger(), full);
}

describe('the bus each service gets', () => {
  it("is the in-process bus, as each service's own user, when no service names RabbitMQ", async () => {
    const infrastructure = await open({}, 'scoring', 'notifier');
    try {
      const scoring = infrastructure.busFor('scoring');
      await expect(
        scoring.publish(EVENTS.scored.routingKey, Buffer.from('{}'), { messageId: 'm', correlationId: 'c', type: '', schemaVersion: 'v1', timestamp: 0 }),
      ).resolves.toBeUndefined();
      // The notifier owns no routing key: the in-process bus refuses it as the broker's topic permissions would.
      await expect(
        infrastructure
          .busFor('notifier')
          .publish(EVENTS.scored.routingKey, Buffer.from('{}'), { messageId: 'n', correlationId: 'c', type: '', schemaVersion: 'v1', timestamp: 0 }),
      ).rejects.toThrow(PermissionDeniedError);
      expect(() => infrastructure.busFor('emotion')).toThrow(/no bus/);
    } finally {
      await infrastructure.close();
    }
  });

  it("refuses a URL that logs in as another service's user, or as a shared one", async () => {
    await expect(open({ SCORING_AMQP_URL: 'amqp://mesh-notifier:pw@127.0.0.1:1/' }, 'scoring')).rejects.toThrow(ConfigError);
    await expect(open({ SCORING_AMQP_URL: 'amqp://mesh-notifier:pw@127.0.0.1:1/' }, 'scoring')).rejects.toThrow(
      /SCORING_AMQP_URL logs in as mesh-notifier, but the scoring service must connect as its own broker user mesh-scoring/,
    );
    await expect(open({ AMQP_URL: 'amqp://guest:guest@127.0.0.1:1/' }, 'scoring')).rejects.toThrow(/AMQP_URL logs in as guest/);
    await expect(open({ AMQP_URL: 'amqp://127.0.0.1:1/' }, 'scoring')).rejects.toThrow(/AMQP_URL logs in as no user/);
    // The prefix is the deployment's: mesh-scoring is not staging-scoring.
    await expect(open({ AMQP_USER_PREFIX: 'staging-', SCORING_AMQP_URL: 'amqp://mesh-scoring:pw@127.0.0.1:1/' }, 'scoring')).rejects.toThrow(
      /must connect as its own broker user staging-scoring/,
    );
  });

  it('refuses an AMQP_CA_FILE it cannot read, by name', async () => {
    await expect(open({ SCORING_AMQP_URL: 'amqps://mesh-scoring:pw@127.0.0.1:1/', AMQP_CA_FILE: '/nonexistent/ca.crt' }, 'scoring')).rejects.toThrow(
      /AMQP_CA_FILE \/nonexistent\/ca\.crt cannot be read/,
    );
  });

  it('refuses a service without a URL when another of the process uses RabbitMQ', async () => {
    await expect(open({ SCORING_AMQP_URL: 'amqp://mesh-scoring:pw@127.0.0.1:1/' }, 'scoring', 'notifier')).rejects.toThrow(
      /NOTIFIER_AMQP_URL or AMQP_URL must be set: the other services use RabbitMQ/,
    );
  });
});
