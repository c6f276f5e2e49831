import { once } from 'node:events';
import amqp, { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options, RecoveringChannelModel } from 'amqplib';
import { ConfigError } from '../config/env';
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
import { traceCarrierOf } from '../telemetry/message-tracing';
import { EventOwners } from './broker-identity';
import { checkExchanges, declareQueues } from './broker-topology';
import { CONTENT_TYPES } from './event-encoding';
import { DEAD_LETTER_EXCHANGE, EXCHANGE, QueueName, RETRY_EXCHANGE, RoutingKey, Topology, deadLetterQueue, retryQueue } from './topology';

const SCHEMA_VERSION_HEADER = 'schema_version';
const TIMESTAMP_MS_HEADER = 'timestamp_ms';
/** Attempt number of a retried message (1 when absent). */
const ATTEMPT_HEADER = 'x-attempt';
/** A retried message comes back through the default exchange: this keeps its original routing key. */
const ROUTING_KEY_HEADER = 'x-original-routing-key';
/**
 * The publisher of a message a consumer retried or parked: the copy carries the consumer's own
 * user-id (RabbitMQ accepts no other from its connection), so the original's travels here. Only a
 * copy whose user-id is the consumer's own is trusted to say it (toDelivery).
 */
const PUBLISHER_HEADER = 'x-original-user-id';
/** Longest wait at start-up for the channels once connected, milliseconds. */
const READY_TIMEOUT_MS = 30_000;
/** Delay before reopening a publisher channel the broker closed, milliseconds. */
const PUBLISHER_REOPEN_MS = 1_000;
/** Longest wait for a publisher confirm, milliseconds: a lost confirm must not stall the outbox relay. */
const CONFIRM_TIMEOUT_MS = 15_000;
/** Who this bus publishes and consumes as. */
interface BusIdentity {
  /** The broker user of the connection, the `user-id` of what it publishes. */
  readonly user: string;
  /** Who may publish which routing key: deliveries from anyone else are parked. */
  readonly owners: EventOwners;
}

export interface AmqpBusOptions {
  /** amqp:// or amqps:// URL with the service's own user and password, and the vhost. */
  readonly url: string;
  readonly log: Logger;
  /** The queues this user consumes (its service's), declared on every connection. */
  readonly topology: Topology;
  readonly owners: EventOwners;
  readonly retry?: RetryPolicy;
  /** Connection attempts before the first connection gives up. */
  readonly initialRetries?: number;
  /** TLS socket options for amqps:// (e.g. `ca`, the broker's CA when it is not a public one). */
  readonly socket?: { readonly ca?: Buffer[] };
}

interface Registration {
  readonly queue: QueueName;
  readonly handler: DeliveryHandler;
  readonly prefetch: number;
  readonly onForged?: (delivery: Delivery) => void;
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
 * One bus is one service's identity on the broker: it connects as that service's user, whose
 * permissions (npm run broker:provision) let it publish only its own routing keys and read only
 * its own queues; it stamps its user as the `user-id` of what it publishes, which RabbitMQ
 * validates; and it parks, unhandled, any delivery whose publisher is not its routing key's owner
 * (EventOwners), so a forged event never reaches a handler even if the broker's permissions let one
 * through.
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
    private readonly identity: BusIdentity,
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
    // A refused login, a missing exchange (not provisioned) or a refused declaration: said, not only retried.
    connection.on('connect-failed', (error: Error) => {
      log.warn({ err: error }, 'RabbitMQ connection attempt failed: retrying');
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
   * Connects to `options.url` (amqp:// or amqps://) as the broker user the URL names, checks that
   * the exchanges exist and declares `options.topology`, the queues this user consumes; keeps
   * reconnecting for as long as the process lives. Rejects when the first connection fails
   * `initialRetries` times, and at once (ConfigError) when the URL names no user.
   */
  static async connect(options: AmqpBusOptions): Promise<AmqpBus> {
    const { url, log, topology, owners, retry = DEFAULT_RETRY_POLICY, initialRetries = 10 } = options;
    const user = decodeURIComponent(new URL(url).username);
    if (!user) throw new ConfigError(`${redactedUrl(url)} names no broker user: each service connects as its own`);
    const connection = await amqp.connect(withHeartbeat(url), {
      ...options.socket,
      clientProperties: { connection_name: `interview-mesh ${user} pid ${process.pid}` },
      recovery: {
        initialDelay: 200,
        maxDelay: 5_000,
        initialMaxRetries: initialRetries,
        waitForConnect: false,
        setup: (model: ChannelModel) => declareTopologyOn(model, topology, retry),
      },
    });
    const bus = new AmqpBus(connection, log, { user, owners }, topology, retry);
    await connection.waitForConnect();
    await bus.waitUntilReady(READY_TIMEOUT_MS).catch(async (error: unknown) => {
      await bus.close();
      throw error;
    });
    log.info({ broker: new URL(url).host, user }, 'connected to RabbitMQ');
    return bus;
  }

  /** The topology is declared on every (re)connection; this declares it once more, idempotently. */
  declareTopology(): Promise<void> {
    return declareTopologyOn(this.connection, this.topology, this.retry);
  }

  /**
   * Publishes a persistent message to the topic exchange, with this connection's user as its
   * `user-id` and its content type (`application/json` when unset), and resolves once the broker
   * confirmed it. Rejects when not connected, when the
   * broker nacks it, or when no confirm comes in time; the caller publishes again (consumers
   * deduplicate on the message id). A routing key this user may not publish closes the channel
   * (ACCESS_REFUSED): the publish rejects and the channel reopens with the next connection.
   */
  async publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void> {
    await this.publishConfirmed(EXCHANGE, routingKey, body, {
      persistent: true,
      contentType: properties.contentType ?? CONTENT_TYPES.json,
      messageId: properties.messageId,
      correlationId: properties.correlationId,
      type: properties.type,
      timestamp: Math.floor(properties.timestamp / 1000),
      userId: this.identity.user,
      headers: { [SCHEMA_VERSION_HEADER]: properties.schemaVersion, [TIMESTAMP_MS_HEADER]: properties.timestamp, ...properties.traceContext },
    });
  }

  async consume(queue: QueueName, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    const registration: Registration = { queue, handler, prefetch: options.prefetch, onForged: options.onForged, inFlight: 0, cancelled: false };
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
      await this.openPublisher(model);
      for (const registration of this.registrations) await this.subscribe(registration);
      this.log.info({ consumers: this.registrations.size }, 'RabbitMQ channels open');
    } catch (error) {
      // The connection dropped again while opening channels: the next 'connect' retries.
      this.log.warn({ err: error }, 'could not open RabbitMQ channels');
    }
  }

  /**
   * The publisher confirm channel. The broker closes a channel on a refused publish (a routing key
   * this user may not publish: ACCESS_REFUSED) while the connection stays up: the channel is then
   * reopened after PUBLISHER_REOPEN_MS, so one refused publish does not end all publishing.
   */
  private async openPublisher(model: ChannelModel): Promise<void> {
    const publisher = await model.createConfirmChannel();
    publisher.on('error', (error) => {
      this.log.warn({ err: error }, 'RabbitMQ publisher channel error');
    });
    publisher.on('close', () => {
      if (this.publisher !== publisher) return;
      this.publisher = undefined;
      setTimeout(() => {
        if (this.closing || this.publisher) return;
        // After a lost connection, 'connect' opens it instead; this fails harmlessly then.
        this.openPublisher(model).catch((error: unknown) => {
          this.log.debug({ err: error }, 'publisher channel not reopened: waiting for the connection');
        });
      }, PUBLISHER_REOPEN_MS).unref();
    });
    this.publisher = publisher;
  }

  /** Resolves once the publisher channel is open; rejects (UnavailableError) after `timeoutMs` milliseconds without it. */
  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.publisher) {
      if (Date.now() > until) throw new UnavailableError(`connected to RabbitMQ, but no channel opened within ${timeoutMs} ms (see the log)`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
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
    const delivery = toDelivery(message, this.identity.user);
    try {
      let failure: { error: unknown } | undefined;
      // An event its routing key's owner did not publish is parked, never handled.
      await Promise.resolve()
        .then(() => {
          this.identity.owners.admit(delivery, registration.onForged);
        })
        .then(() => registration.handler(delivery))
        .catch((error: unknown) => (failure = { error }));
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
    const headers = { ...message.properties.headers, [ROUTING_KEY_HEADER]: delivery.routingKey, [PUBLISHER_HEADER]: delivery.publisher };
    // The copies go out as this consumer's user, through topic exchanges where it may use only its own queues' keys.
    const copied = { ...copyProperties(message), userId: this.identity.user };
    try {
      if (outcome.kind === 'retry') {
        await this.publishConfirmed(RETRY_EXCHANGE, retryQueue(queue, outcome.delayMs), message.content, {
          ...copied,
          headers: { ...headers, [ATTEMPT_HEADER]: outcome.nextAttempt },
        });
        this.log.warn({ ...logFields, retryInMs: outcome.delayMs }, 'message failed: retrying later');
      } else {
        await this.publishConfirmed(DEAD_LETTER_EXCHANGE, queue, message.content, {
          ...copied,
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

/**
 * The delivery of `message` to a consumer connected as `self`. The retry headers (original routing
 * key, attempt, original publisher) are believed only on a copy whose validated user-id is `self`:
 * the consumer's own retry; from anyone else they would be a forgery's disguise.
 */
function toDelivery(message: ConsumeMessage, self: string): Delivery {
  const userId = typeof message.properties.userId === 'string' ? message.properties.userId : '';
  const headers: Record<string, unknown> = message.properties.headers ?? {};
  const retried: Record<string, unknown> = userId === self ? headers : {};
  return {
    routingKey: headerText(retried[ROUTING_KEY_HEADER]) ?? message.fields.routingKey,
    body: message.content,
    redelivered: message.fields.redelivered,
    attempt: Number(headerText(retried[ATTEMPT_HEADER]) ?? 1),
    publisher: headerText(retried[PUBLISHER_HEADER]) ?? userId,
    properties: {
      messageId: String(message.properties.messageId ?? ''),
      correlationId: String(message.properties.correlationId ?? ''),
      type: String(message.properties.type ?? ''),
      schemaVersion: headerText(headers[SCHEMA_VERSION_HEADER]) ?? '',
      timestamp: Number(headerText(headers[TIMESTAMP_MS_HEADER]) ?? (message.properties.timestamp ?? 0) * 1000),
      traceContext: traceCarrierOf(headers),
      contentType: typeof message.properties.contentType === 'string' ? message.properties.contentType : undefined,
    },
  };
}

/** An AMQP header's value as text (amqplib decodes strings, numbers, and long strings as Buffers); undefined when absent or of another kind. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
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

function declareTopologyOn(model: Pick<ChannelModel, 'createChannel'>, topology: Topology, retry: RetryPolicy): Promise<void> {
  return model.createChannel().then(async (channel) => {
    try {
      await checkExchanges(channel);
      await declareQueues(channel, topology, retry);
    } finally {
      await channel.close().catch(() => undefined);
    }
  });
}

/** `url` without its password, for messages. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
