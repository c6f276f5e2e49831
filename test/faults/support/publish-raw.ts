import amqp from 'amqplib';
import { EXCHANGE } from '../../../src/platform/bus/topology';
import { FaultMesh } from './fault-mesh';

/** Publishes `body` as is to the mesh's topic exchange (confirmed), as a misbehaving producer would. */
export async function publishRaw(mesh: FaultMesh, routingKey: string, body: Buffer, properties: { type: string; messageId: string }): Promise<void> {
  const connection = await amqp.connect(mesh.amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(EXCHANGE, routingKey, body, {
      persistent: true,
      contentType: 'application/json',
      ...properties,
      correlationId: 'poison',
      headers: { schema_version: 'v1' },
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}
