import amqp from 'amqplib';
import { SERVICES } from '../../../src/mesh/registry';
import { EXCHANGE } from '../../../src/platform/bus/topology';
import { brokerUserUrl } from '../../support/infrastructure';
import { FaultMesh } from './fault-mesh';

/**
 * Publishes `body` as is to the mesh's topic exchange (confirmed), as a misbehaving producer would:
 * as the broker user of the service that owns `routingKey`, with that user as the message's
 * `user-id`, so that the consumer refuses the message for being malformed, not for being forged
 * (and the broker lets it through: a service's user may publish only its own routing keys). Its
 * content type is `application/json` unless `properties` says another.
 */
export async function publishRaw(
  mesh: FaultMesh,
  routingKey: string,
  body: Buffer,
  properties: { type: string; messageId: string; contentType?: string },
): Promise<void> {
  const owner = SERVICES.find((s) => s.publishes.includes(routingKey));
  if (!owner) throw new Error(`no service of the mesh publishes ${routingKey}`);
  const url = brokerUserUrl(mesh.amqpUrl, owner.name);
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(EXCHANGE, routingKey, body, {
      persistent: true,
      contentType: 'application/json',
      ...properties,
      userId: decodeURIComponent(new URL(url).username),
      correlationId: 'poison',
      headers: { schema_version: 'v1' },
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}
