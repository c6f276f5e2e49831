import { once } from 'node:events';
import amqp, { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options, RecoveringChannelModel } from 'amqplib';
import { TimeoutError, UnavailableError } from '../errors/domain-errors';
import { Logger } from '../log/logger';
import {
  ConsumeOptions,
  deadLetterHeaders,
  DEFAULT_RETRY_POLICY,
  Delivery,
  DeliveryHandler,
  EventBus,
  EventProperties,
  RetryPolicy,
  Subscription,
  onFailure,
} from './event-bus';
import { DEAD_LETTER_EXCHANGE, EXCHANGE, QueueName, RoutingKey, Topology, deadLetterQueue, retryQueue } from './topology';

const SCHEMA_VERSION_HEADER = 'schema_version';
const TIMESTAMP_MS_HEADER = 'timestamp_ms';
/** Attempt number of a retried message (1 when absent). */
const ATTEMPT_HEADER = 'x-attempt';
/** A retried message comes back through the default exchange: this keeps its original routing key. */
const ROUTING_KEY_HEADER = 'x-original-routing-key';
/** Longest wait for a publisher confirm, milliseconds: a lost confirm must not stall the outbox relay. */
const CONFIRM_TIMEOUT_MS = 15_000;
/**
 * Deliveries of one message after which a quorum queue dead-letters it itself: the last guard
 * against a message that kills its consumer's process before the handler can fail cleanly.
 */
const DELIVERY_LIMIT = 20;

/**
 * Quorum queues dead-letter at most once unless told otherwise; at-least-once needs reject-publish
 * overflow (RabbitMQ docs, "Quorum Queues: Dead Lettering").
 */
const AT_LEAST_ONCE_DEAD_LETTERING = { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' };

interface Registration {
  readonly queue: QueueName;
  readonly handler: DeliveryHandler;
  readonly prefetch: number;
  channel?: Channel;
  consumerTag?: string;
  inFlight: number;
  cancelled: boolean;
  idle?: () => void;
}

/**
 * The event bus on RabbitMQ (amqplib): durable topic exchange, quorum queues, persistent messages,
 * publisher confirms, manual acknowledgements after the handler resolves, delayed retries through
 * per-delay retry queues, and a dead-letter queue per queue.
 *
 * Connection recovery is amqplib's own (`connect(url, { recovery })`, exponential backoff with
 * jitter). It reopens the connection only: on every reconnect this bus re-declares the topology,
 * reopens its publisher confirm channel and re-subscribes its consumers. It never buffers or
 * resends a publish itself: a publish in flight when the connection drops rejects, and its caller
 * (the outbox relay) publishes it again; messages a consumer held unacknowledged are redelivered by
 * the broker, and consumers' inboxes make both harmless.
 */
export class AmqpBus implements EventBus {
  private publisher: ConfirmChannel | undefined;
  private readonly registrations = new Set<Registration>();
  private closing = false;
  /** Set while the publisher channel's buffer is full (publish returned false) until 'drain'. */
  private drained: Promise<unknown> | undefined;

  private constructor(
    private readonly connection: RecoveringChannelModel,
    private readonly log: Logger,
    private readonly topology: Topology,
    private readonly retry: RetryPolicy,
  ) {
    connection.on('connect', (model: ChannelModel) => void this.onConnect(model));
    connection.on('disconnect', (error: Error) => {
      this.publisher = undefined;
      for (const registration of this.registrations) registration.channel = undefined;
      if (!this.closing) log.warn({ err: error }, 'RabbitMQ connection lost: reconnecting');
    });
    connection.on('reconnect-scheduled', (info: { attempt: number; delay: number }) => {
      log.debug(info, 'RabbitMQ reconnect scheduled');
    });
    connection.on('reconnect-failed', (error: Error) => {
      log.error({ err: error }, 'RabbitMQ recovery gave up');
    });
    connection.on('blocked', (reason: string) => {
      log.warn({ reason }, 'RabbitMQ blocked publishing (resource alarm)');
    });
    connection.on('unblocked', () => {
      log.info('RabbitMQ unblocked publishing');
    });
    connection.on('error', (error: Error) => {
      log.warn({ err: error }, 'RabbitMQ connection error');
    });
  }

  /**
   * Connects to `url` (amqp:// or amqps://) and declares `topology`; keeps reconnecting for as
   * long as the process lives. Rejects when the first connection fails `initialRetries` times.
   */
  static async connect(url: string, log: Logger, topology: Topology, retry: RetryPolicy = DEFAULT_RETRY_POLICY, initialRetries = 10): Promise<AmqpBus> {
    const connection = await amqp.connect(withHeartbeat(url), {
      clientProperties: { connection_name: `interview-mesh pid ${process.pid}` },
      recovery: {
        initialDelay: 200,
        maxDelay: 5_000,
        initialMaxRetries: initialRetries,
        waitForConnect: false,
        setup: (model: ChannelModel) => declareTopologyOn(model, topology, retry),
      },
    });
    const bus = new AmqpBus(connection, log, topology, retry);
    await connection.waitForConnect();
    await bus.waitUntilReady();
    log.info({ broker: new URL(url).host }, 'connected to RabbitMQ');
    return bus;
  }

  /** The topology is declared on every (re)connection; this declares it once more, idempotently. */
  async declareTopology(): Promise<void> {
    const channel = await this.connection.createChannel();
    try {
      await declareTopologyWith(channel, this.topology, this.retry);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * Publishes a persistent message to the topic exchange and resolves once the broker confirmed it.
   * Rejects when not connected, when the broker nacks it, or when no confirm comes in time; the
   * caller publishes again (consumers deduplicate on the message id).
   */
  async publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void> {
    await this.publishConfirmed(EXCHANGE, routingKey, body, {
      persistent: true,
      contentType: 'application/json',
      messageId: properties.messageId,
      correlationId: properties.correlationId,
      type: properties.type,
      timestamp: Math.floor(properties.timestamp / 1000),
      headers: { [SCHEMA_VERSION_HEADER]: properties.schemaVersion, [TIMESTAMP_MS_HEADER]: properties.timestamp },
    });
  }

  async consume(queue: QueueName, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    const registration: Registration = { queue, handler, prefetch: options.prefetch, inFlight: 0, cancelled: false };
    this.registrations.add(registration);
    if (this.isReady()) await this.subscribe(registration);
    return {
      cancel: async () => {
        registration.cancelled = true;
        this.registrations.delete(registration);
        const { channel, consumerTag } = registration;
        if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => undefined);
        if (registration.inFlight > 0) await new Promise<void>((resolve) => (registration.idle = resolve));
        await registration.channel?.close().catch(() => undefined);
      },
    };
  }

  isReady(): boolean {
    return this.publisher !== undefined && !this.closing;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.publisher?.waitForConfirms().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }

  /** After each (re)connection: the publisher channel, then every live consumer again. */
  private async onConnect(model: ChannelModel): Promise<void> {
    try {
      const publisher = await model.createConfirmChannel();
      publisher.on('error', (error) => {
        this.log.warn({ err: error }, 'RabbitMQ publisher channel error');
      });
      publisher.on('close', () => {
        if (this.publisher === publisher) this.publisher = undefined;
      });
      this.publisher = publisher;
      for (const registration of this.registrations) await this.subscribe(registration);
      this.log.info({ consumers: this.registrations.size }, 'RabbitMQ channels open');
    } catch (error) {
      // The connection dropped again while opening channels: the next 'connect' retries.
      this.log.warn({ err: error }, 'could not open RabbitMQ channels');
    }
  }

  private async waitUntilReady(): Promise<void> {
    while (!this.publisher) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private async subscribe(registration: Registration): Promise<void> {
    if (registration.cancelled) return;
    const channel = await this.connection.createChannel();
    channel.on('error', (error) => {
      this.log.warn({ err: error, queue: registration.queue }, 'RabbitMQ consumer channel error');
    });
    await channel.prefetch(registration.prefetch);
    registration.channel = channel;
    const { consumerTag } = await channel.consume(registration.queue, (message) => {
      if (message === null) {
        this.log.warn({ queue: registration.queue }, 'consumer cancelled by the broker');
        return;
      }
      void this.deliver(registration, channel, message);
    });
    registration.consumerTag = consumerTag;
  }

  private async deliver(registration: Registration, channel: Channel, message: ConsumeMessage): Promise<void> {
    registration.inFlight += 1;
    const delivery = toDelivery(message);
    try {
      let failure: { error: unknown } | undefined;
      await registration.handler(delivery).catch((error: unknown) => (failure = { error }));
      if (failure) await this.settleFailure(registration.queue, channel, message, delivery, failure.error);
      else ackOrLeave(channel, message, this.log);
    } finally {
      registration.inFlight -= 1;
      if (registration.inFlight === 0) registration.idle?.();
    }
  }

  /**
   * A failed message goes to its next retry queue, or to the dead-letter queue with the reason; the
   * original is acknowledged only once that copy is confirmed. If the copy cannot be made (the
   * connection is gone), the original stays unacknowledged and the broker redelivers it.
   */
  private async settleFailure(queue: QueueName, channel: Channel, message: ConsumeMessage, delivery: Delivery, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    const outcome = onFailure(this.retry, delivery.attempt, error);
    const logFields = { queue, messageId: delivery.properties.messageId, attempt: delivery.attempt, reason };
    const headers = { ...message.properties.headers, [ROUTING_KEY_HEADER]: delivery.routingKey };
    try {
      if (outcome.kind === 'retry') {
        await this.publishConfirmed('', retryQueue(queue, outcome.delayMs), message.content, {
          ...copyProperties(message),
          headers: { ...headers, [ATTEMPT_HEADER]: outcome.nextAttempt },
        });
        this.log.warn({ ...logFields, retryInMs: outcome.delayMs }, 'message failed: retrying later');
      } else {
        await this.publishConfirmed(DEAD_LETTER_EXCHANGE, queue, message.content, {
          ...copyProperties(message),
          headers: { ...headers, ...deadLetterHeaders(queue, delivery.attempt, reason) },
        });
        this.log.error(logFields, `message dead-lettered to ${deadLetterQueue(queue)}`);
      }
      ackOrLeave(channel, message, this.log);
    } catch (settleError) {
      this.log.warn({ ...logFields, err: settleError }, 'could not settle a failed message: the broker will redeliver it');
    }
  }

  private async publishConfirmed(exchange: string, routingKey: string, body: Buffer, options: Options.Publish): Promise<void> {
    while (this.drained) await this.drained;
    const publisher = this.publisher;
    if (!publisher) throw new UnavailableError('not connected to RabbitMQ');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new TimeoutError(`no publisher confirm within ${CONFIRM_TIMEOUT_MS} ms`));
      }, CONFIRM_TIMEOUT_MS);
      const accepted = publisher.publish(exchange, routingKey, body, options, (error) => {
        clearTimeout(timer);
        // A nack: the broker could not take it now (a full queue rejecting publishes, a resource alarm).
        if (error) reject(new UnavailableError(`the broker did not confirm ${options.type ?? 'a message'} ${options.messageId ?? ''}: ${error}`));
        else resolve();
      });
      // Backpressure: the channel's buffer is full; later publishes wait for 'drain'.
      if (!accepted && !this.drained) {
        this.drained = Promise.race([once(publisher, 'drain'), once(publisher, 'close')]).finally(() => (this.drained = undefined));
      }
    });
  }
}

/**
 * `url` with a 10 s heartbeat unless it sets one: heartbeats detect a dead broker or a silently
 * dropped TCP connection within about two intervals (amqplib takes it as a URL parameter).
 */
function withHeartbeat(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', '10');
  return parsed.toString();
}

/** Acks on the channel the message came on; when that channel is gone the broker redelivers it (inboxes absorb it). */
function ackOrLeave(channel: Channel, message: ConsumeMessage, log: Logger): void {
  try {
    channel.ack(message);
  } catch (error) {
    log.debug({ err: error, messageId: message.properties.messageId }, 'ack failed (channel closed): the broker will redeliver');
  }
}

function toDelivery(message: ConsumeMessage): Delivery {
  const headers = message.properties.headers ?? {};
  return {
    routingKey: String(headers[ROUTING_KEY_HEADER] ?? message.fields.routingKey),
    body: message.content,
    redelivered: message.fields.redelivered,
    attempt: Number(headers[ATTEMPT_HEADER] ?? 1),
    properties: {
      messageId: String(message.properties.messageId ?? ''),
      correlationId: String(message.properties.correlationId ?? ''),
      type: String(message.properties.type ?? ''),
      schemaVersion: String(headers[SCHEMA_VERSION_HEADER] ?? ''),
      timestamp: Number(headers[TIMESTAMP_MS_HEADER] ?? (message.properties.timestamp ?? 0) * 1000),
    },
  };
}

/** The properties copyProperties carries over, as amqplib decodes them (its typings say `any`). */
interface CopiedProperties {
  readonly contentType?: string;
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly type?: string;
  readonly timestamp?: number;
}

function copyProperties(message: ConsumeMessage): Options.Publish {
  const p: CopiedProperties = message.properties;
  return { persistent: true, contentType: p.contentType, messageId: p.messageId, correlationId: p.correlationId, type: p.type, timestamp: p.timestamp };
}

function declareTopologyOn(model: ChannelModel, topology: Topology, retry: RetryPolicy): Promise<void> {
  return model.createChannel().then(async (channel) => {
    try {
      await declareTopologyWith(channel, topology, retry);
    } finally {
      await channel.close().catch(() => undefined);
    }
  });
}

/**
 * The exchanges, the queues of `topology` with their bindings and dead-letter queues, plus each
 * queue's retry queues: a message waits out its delay there (message TTL), then the broker
 * dead-letters it back to its queue through the default exchange.
 */
async function declareTopologyWith(channel: Channel, topology: Topology, retry: RetryPolicy): Promise<void> {
  await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
  for (const [queue, patterns] of Object.entries(topology)) {
    const dead = deadLetterQueue(queue);
    await channel.assertQueue(dead, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue(dead, DEAD_LETTER_EXCHANGE, queue);
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        // Quorum queues: replicated, durable, RabbitMQ's recommended queue type for data safety.
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
        'x-dead-letter-routing-key': queue,
        'x-delivery-limit': DELIVERY_LIMIT,
        ...AT_LEAST_ONCE_DEAD_LETTERING,
      },
    });
    for (const pattern of patterns) await channel.bindQueue(queue, EXCHANGE, pattern);
    for (const delayMs of retry.delaysMs) {
      await channel.assertQueue(retryQueue(queue, delayMs), {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-message-ttl': delayMs,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queue,
          ...AT_LEAST_ONCE_DEAD_LETTERING,
        },
      });
    }
  }
}
