import { once } from 'node:events';
import amqp, { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { Logger } from '../log/logger';
import { ConsumeOptions, DeliveryHandler, EventBus, EventProperties, Subscription } from './event-bus';
import { BINDINGS, DEAD_LETTER_EXCHANGE, EXCHANGE, QueueName, RoutingKey, deadLetterQueue } from './topology';

const SCHEMA_VERSION_HEADER = 'schema_version';

/**
 * The event bus on RabbitMQ (amqplib): durable topic exchange, durable quorum queues, persistent
 * messages, publisher confirms, manual acknowledgements after the handler resolves, and a
 * dead-letter exchange for rejected messages.
 */
export class AmqpBus implements EventBus {
  private connected = true;
  /** Set while the publisher channel's buffer is full (publish returned false) until 'drain'. */
  private drained: Promise<unknown> | undefined;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly publisher: ConfirmChannel,
    private readonly log: Logger,
  ) {
    connection.on('error', (error) => log.error({ err: error }, 'AMQP connection error'));
    connection.on('close', () => {
      this.connected = false;
      log.warn('AMQP connection closed');
    });
    publisher.on('error', (error) => log.error({ err: error }, 'AMQP publisher channel error'));
  }

  /** Connects to `url` (amqp:// or amqps://); rejects when the broker cannot be reached. */
  static async connect(url: string, log: Logger): Promise<AmqpBus> {
    const connection = await amqp.connect(url, { clientProperties: { connection_name: `interview-mesh pid ${process.pid}` } });
    const publisher = await connection.createConfirmChannel();
    log.info({ broker: new URL(url).host }, 'connected to RabbitMQ');
    return new AmqpBus(connection, publisher, log);
  }

  async declareTopology(): Promise<void> {
    const channel = await this.connection.createChannel();
    try {
      await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
      await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
      for (const [queue, patterns] of Object.entries(BINDINGS)) {
        const dead = deadLetterQueue(queue as QueueName);
        await channel.assertQueue(dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
        await channel.bindQueue(dead, DEAD_LETTER_EXCHANGE, queue);
        await channel.assertQueue(queue, {
          durable: true,
          arguments: {
            // Quorum queues: replicated, durable, and RabbitMQ's recommended queue type for data safety.
            'x-queue-type': 'quorum',
            'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
            'x-dead-letter-routing-key': queue,
          },
        });
        for (const pattern of patterns) await channel.bindQueue(queue, EXCHANGE, pattern);
      }
    } finally {
      await channel.close();
    }
  }

  async publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void> {
    while (this.drained) await this.drained;
    await new Promise<void>((resolve, reject) => {
      const accepted = this.publisher.publish(
        EXCHANGE,
        routingKey,
        body,
        {
          persistent: true,
          contentType: 'application/json',
          messageId: properties.messageId,
          correlationId: properties.correlationId,
          type: properties.type,
          timestamp: Math.floor(properties.timestamp / 1000),
          headers: { [SCHEMA_VERSION_HEADER]: properties.schemaVersion, timestamp_ms: properties.timestamp },
        },
        (error) => (error ? reject(new Error(`broker did not confirm ${properties.type} ${properties.messageId}`)) : resolve()),
      );
      // Backpressure: the channel's buffer is full; wait for it to drain before the next publish.
      if (!accepted && !this.drained) {
        this.drained = once(this.publisher, 'drain').finally(() => (this.drained = undefined));
      }
    });
  }

  async consume(queue: QueueName, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    const channel: Channel = await this.connection.createChannel();
    channel.on('error', (error) => this.log.error({ err: error, queue }, 'AMQP consumer channel error'));
    await channel.prefetch(options.prefetch);
    let inFlight = 0;
    let idle: (() => void) | undefined;
    const { consumerTag } = await channel.consume(queue, (message: ConsumeMessage | null) => {
      if (message === null) {
        this.log.warn({ queue }, 'consumer cancelled by the broker');
        return;
      }
      inFlight += 1;
      const headers = message.properties.headers ?? {};
      handler({
        routingKey: message.fields.routingKey,
        body: message.content,
        redelivered: message.fields.redelivered,
        properties: {
          messageId: String(message.properties.messageId ?? ''),
          correlationId: String(message.properties.correlationId ?? ''),
          type: String(message.properties.type ?? ''),
          schemaVersion: String(headers[SCHEMA_VERSION_HEADER] ?? ''),
          timestamp: Number(headers.timestamp_ms ?? (message.properties.timestamp ?? 0) * 1000),
        },
      })
        .then(
          () => channel.ack(message),
          (error) => {
            this.log.error({ err: error, queue, messageId: message.properties.messageId }, 'message rejected to the dead-letter queue');
            channel.nack(message, false, false);
          },
        )
        .catch((error) => this.log.error({ err: error, queue }, 'could not settle a message (channel closed?)'))
        .finally(() => {
          inFlight -= 1;
          if (inFlight === 0) idle?.();
        });
    });
    return {
      cancel: async () => {
        await channel.cancel(consumerTag).catch(() => undefined);
        if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
        await channel.close().catch(() => undefined);
      },
    };
  }

  isReady(): boolean {
    return this.connected;
  }

  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.publisher.waitForConfirms().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
