import { MeshMetrics } from '../../../src/platform/telemetry/metrics';
import { randomUUID } from 'node:crypto';
import { Metadata, status } from '@grpc/grpc-js';
import { Kysely, Migration } from 'kysely';
import { AnswerRequest, ScoreRequest, ScoreResponse, ScoringServiceClient, ScoringServiceService } from '../../../src/gen/scoring';
import { BreakerState } from '../../../src/platform/breaker/circuit-breaker';
import { ConsumeOptions, Delivery, DeliveryHandler, EventProperties, Subscription } from '../../../src/platform/bus/event-bus';
import { EventKind, MessageCodec } from '../../../src/platform/bus/event-catalog';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { QueueName, RoutingKey, Topology } from '../../../src/platform/bus/topology';
import { loadConfig, MeshConfig } from '../../../src/platform/config/mesh-config';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { UnavailableError } from '../../../src/platform/errors/domain-errors';
import { AsyncService } from '../../../src/platform/grpc/async-service';
import { ServiceError } from '../../../src/platform/grpc/errors';
import { Logger, silentLogger } from '../../../src/platform/log/logger';
import { processOnce } from '../../../src/platform/messaging/inbox';
import { outboxContentTypeMigration } from '../../../src/platform/messaging/content-type-migration';
import { messagingTablesMigration } from '../../../src/platform/messaging/messaging-migration';
import { outboxTraceContextMigration } from '../../../src/platform/messaging/trace-context-migration';
import { MessagingTables } from '../../../src/platform/messaging/messaging-tables';
import { defineService, DownstreamSpec, grpcService, ServiceDescriptor } from '../../../src/platform/service/descriptor';
import { DownstreamClient } from '../../../src/platform/service/downstream-client';
import { RunningService, startService } from '../../../src/platform/service/host';
import { CallPolicy } from '../../../src/platform/tls/call-policy';
import { TransportSecurity } from '../../../src/platform/tls/transport-security';
import { checkHealth, freePort, waitForHealth } from '../../support/grpc-clients';
import { sleep, waitFor } from '../../support/wait';
import { failure } from '../../support/interview-client';
import { testCredentials, testTransport } from '../../support/tls';

/** The probe service's own table beside the outbox and inbox. */
interface ProbeTables extends MessagingTables {
  probe_seen: { message_id: string; note: string };
}

interface Note {
  note: string;
}

/** The probe's hand-written codecs: its note as JSON; as "binary" the same JSON's bytes (NOTICED travels as JSON: never used). */
const NOTE_CODEC: MessageCodec<Note> = {
  toJSON: (message) => message,
  fromJSON: (object) => object as Note,
  encode: (message) => ({ finish: () => Buffer.from(JSON.stringify(message)) }),
  decode: (input) => JSON.parse(Buffer.from(input).toString('utf8')) as Note,
};
const NOTICED: EventKind<Note> = { routingKey: 'probe.noticed', typeName: 'probe.v1.Noticed', codec: NOTE_CODEC, encoding: 'json' };
const HAPPENED_KEY: RoutingKey = 'probe.happened';
const CONSUMED_QUEUE = 'probe.events';
const OBSERVER_QUEUE = 'observer.noticed';
const TOPOLOGY: Topology = { [CONSUMED_QUEUE]: [HAPPENED_KEY], [OBSERVER_QUEUE]: [NOTICED.routingKey] };
const WHILE_MISSING = 'the probe resource is still loading; retry shortly';
const SCORING: DownstreamSpec<ScoringServiceClient> = {
  service: 'scoring',
  grpcService: 'scoring.ScoringService',
  client: ScoringServiceClient,
  deadlineMs: 500,
};

/** The probe's callers: the tests' clients are the operator, who may calculate scores, not analyse answers. */
const PROBE_POLICY: CallPolicy = { 'scoring.ScoringService': { CalculateScore: ['operator'], AnalyzeAnswer: ['service:interview'] } };

const migrations: Record<string, Migration> = {
  '0001_outbox_inbox': messagingTablesMigration,
  '0002_probe_seen': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('probe_seen')
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('note', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0003_outbox_trace_context': outboxTraceContextMigration,
  '0004_outbox_content_type': outboxContentTypeMigration,
};

interface ProbeSettings {
  label: string;
}
interface ProbeResource {
  id: string;
}

/** A promise with its resolve function. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** What the probe service does, and where it records its steps; each test sets what it needs. */
interface Probe {
  readonly steps: string[];
  /** Resolves when the resource's create may finish (default: after 300 ms). */
  createGate?: Promise<void>;
  createFails?: Error;
  /** Awaited by the consumer's handler before it processes a message. */
  handlerGate?: Promise<void>;
  /** Awaited by CalculateScore before it answers. */
  rpcGate?: Promise<void>;
  handled: string[];
  rpcStarted: number;
  /** The gRPC service the parts serve and the queue they handle (to break the match with the descriptor). */
  servedName?: string;
  handledQueue?: QueueName;
}

function newProbe(): Probe {
  return { steps: [], handled: [], rpcStarted: 0 };
}

function probeDescriptor(probe: Probe): ServiceDescriptor<ProbeSettings, { scoring: DownstreamSpec<ScoringServiceClient> }, ProbeResource> {
  return defineService({
    name: 'probe',
    defaultPort: 0,
    migrations,
    consumes: [{ queue: CONSUMED_QUEUE, bindings: [HAPPENED_KEY], prefetch: 2 }],
    publishes: [NOTICED.routingKey],
    consulTags: [],
    grpcServices: ['scoring.ScoringService'],
    downstreams: { scoring: SCORING },
    settings: () => ({ label: 'probe' }),
    resource: {
      name: 'probe-resource',
      whileMissing: WHILE_MISSING,
      create: async (settings) => {
        probe.steps.push('create started');
        await (probe.createGate ?? sleep(300));
        if (probe.createFails) throw probe.createFails;
        probe.steps.push('created');
        return { id: `resource of ${settings.label}` };
      },
      close: (resource) => {
        probe.steps.push(`resource closed (${resource.id})`);
        return Promise.resolve();
      },
    },
    start: (context) => {
      const outbox = context.outbox<ProbeTables>();
      const scoring: AsyncService<typeof ScoringServiceService> = {
        calculateScore: async (request) => {
          const resource = context.resource.get();
          probe.rpcStarted += 1;
          await probe.rpcGate;
          probe.steps.push('rpc finished');
          return ScoreResponse.fromPartial({ sessionId: request.sessionId, feedback: resource.id });
        },
        analyzeAnswer: () => Promise.reject(ServiceError.unimplemented('AnalyzeAnswer')),
        generateReport: () => Promise.reject(ServiceError.unimplemented('GenerateReport')),
      };
      const onHappened: DeliveryHandler = async (delivery) => {
        const { note } = JSON.parse(delivery.body.toString()) as Note;
        probe.handled.push(note);
        await probe.handlerGate;
        await processOnce(outbox, CONSUMED_QUEUE, delivery, async (trx) => {
          await trx.insertInto('probe_seen').values({ message_id: delivery.properties.messageId, note }).execute();
          await outbox.add(trx, NOTICED, { note: `noticed ${note}` }, delivery.properties.correlationId);
        });
        probe.steps.push(`handler finished (${note})`);
      };
      return {
        grpc: [grpcService(probe.servedName ?? 'scoring.ScoringService', ScoringServiceService, scoring)],
        consumers: { [probe.handledQueue ?? CONSUMED_QUEUE]: onHappened },
        release: () => {
          probe.steps.push('release');
          return Promise.resolve();
        },
      };
    },
  });
}

/** A MemoryBus that records, in the probe's steps, its publishes and the cancelling of the probe's consumers. */
class RecordingBus extends MemoryBus {
  /** The health of the service under test, once started. */
  healthNow: () => string | undefined = () => undefined;

  constructor(
    log: Logger,
    private readonly steps: string[],
  ) {
    super(log, TOPOLOGY, { delaysMs: [10] });
  }

  override async publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void> {
    await super.publish(routingKey, body, properties);
    // The test's own publishes to the probe are not steps of the service.
    if (routingKey !== HAPPENED_KEY) this.steps.push(`published ${routingKey} (${(JSON.parse(body.toString()) as Note).note})`);
  }

  override async consume(queue: QueueName, handler: DeliveryHandler, options: ConsumeOptions): Promise<Subscription> {
    const subscription = await super.consume(queue, handler, options);
    if (queue !== CONSUMED_QUEUE) return subscription;
    return {
      cancel: async () => {
        this.steps.push(`cancel ${queue} (health ${this.healthNow() ?? '?'})`);
        await subscription.cancel();
        this.steps.push(`cancelled ${queue}`);
      },
    };
  }
}

/** A DownstreamClient whose breaker state the test sets. */
class FakeDownstream implements DownstreamClient<ScoringServiceClient> {
  readonly name = 'scoring';
  breakerState: BreakerState = 'closed';
  closed = false;
  private readonly listeners: ((state: BreakerState) => void)[] = [];

  call(): Promise<never> {
    return Promise.reject(new UnavailableError('not called in these tests'));
  }
  exchange(): Promise<never> {
    return Promise.reject(new UnavailableError('not called in these tests'));
  }
  openDuplex(): never {
    throw new UnavailableError('not called in these tests');
  }
  onBreakerState(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }
  set(state: BreakerState): void {
    this.breakerState = state;
    for (const listener of this.listeners) listener(state);
  }
  close(): void {
    this.closed = true;
  }
}

/** AnalyzeAnswer, which the probe does not implement and PROBE_POLICY refuses the operator. */
function analyzeAnswer(address: string): Promise<unknown> {
  const client = new ScoringServiceClient(address, testCredentials());
  return new Promise<unknown>((resolve, reject) => {
    client.analyzeAnswer(AnswerRequest.fromPartial({ answer: 'an answer' }), new Metadata(), { deadline: Date.now() + 3_000 }, (error, value) => {
      if (error) reject(error);
      else resolve(value);
    });
  }).finally(() => {
    client.close();
  });
}

function calculate(address: string, sessionId: string): Promise<ScoreResponse> {
  const client = new ScoringServiceClient(address, testCredentials());
  return new Promise<ScoreResponse>((resolve, reject) => {
    client.calculateScore(ScoreRequest.fromPartial({ sessionId }), new Metadata(), { deadline: Date.now() + 3_000 }, (error, value) => {
      if (error) reject(error);
      else resolve(value);
    });
  }).finally(() => {
    client.close();
  });
}

function happened(note: string, messageId = randomUUID()): [RoutingKey, Buffer, EventProperties] {
  return [
    HAPPENED_KEY,
    Buffer.from(JSON.stringify({ note })),
    { messageId, correlationId: `corr-${note}`, type: 'probe.v1.Happened', schemaVersion: 'v1', timestamp: Date.now() },
  ];
}

describe('startService (probe service on PGlite, MemoryBus and a real gRPC server)', () => {
  const log = silentLogger();
  let database: DatabaseHandle;
  let db: Kysely<ProbeTables>;
  let probe: Probe;
  let bus: RecordingBus;
  let downstream: FakeDownstream;
  let running: RunningService | undefined;
  let stopped = false;
  /** What the observer queue received: the events the probe's outbox published. */
  let observed: Delivery[];
  /** mTLS on the tests' CA: the probe's certificate for its port, the operator's for the clients. */
  let transport: TransportSecurity;

  const config = (overrides: Partial<MeshConfig> = {}): MeshConfig => ({ ...loadConfig({}), bindHost: '127.0.0.1', ...overrides });
  const start = async (options: { port?: number; config?: Partial<MeshConfig> } = {}) => {
    running = await startService(
      probeDescriptor(probe),
      { config: config(options.config), log, db: database, busFor: () => bus, transport, policy: PROBE_POLICY, metrics: new MeshMetrics() },
      { port: options.port ?? 0, settings: { label: 'probe' }, downstreams: { scoring: downstream } },
    );
    const service = running;
    bus.healthNow = () => service.health.get('');
    return running;
  };
  const stop = async (graceMs = 2_000) => {
    stopped = true;
    await running!.stop(graceMs);
  };

  beforeAll(async () => {
    transport = await testTransport(['probe']);
    database = await openDatabase({ url: undefined, dataDir: 'memory://', log });
    await migrateSchema(database.forService('probe'), 'probe', migrations, log);
    db = database.forService<ProbeTables>('probe');
  });
  afterAll(async () => {
    transport.close();
    await database.close();
  });

  beforeEach(async () => {
    await db.deleteFrom('outbox').execute();
    await db.deleteFrom('inbox').execute();
    await db.deleteFrom('probe_seen').execute();
    probe = newProbe();
    probe.createGate = Promise.resolve();
    bus = new RecordingBus(log, probe.steps);
    downstream = new FakeDownstream();
    running = undefined;
    stopped = false;
    observed = [];
    await bus.consume(
      OBSERVER_QUEUE,
      (delivery) => {
        observed.push(delivery);
        return Promise.resolve();
      },
      { prefetch: 10 },
    );
  });
  afterEach(async () => {
    if (running && !stopped) await running.stop(500);
    await bus.close();
  });

  it('is NOT_SERVING while its resource is created, answering UNAVAILABLE with whileMissing, then SERVING', async () => {
    const creating = gate();
    probe.createGate = creating.promise;
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const starting = start({ port });

    await waitForHealth(address, 'NOT_SERVING', 5_000);
    expect(await checkHealth(address, 'scoring.ScoringService')).toBe('NOT_SERVING');
    expect(await failure(calculate(address, 's-early'))).toEqual({ code: status.UNAVAILABLE, details: WHILE_MISSING });
    expect(probe.steps).toEqual(['create started']);

    creating.open();
    const service = await starting;
    expect(service.server.port).toBe(port);
    expect(service.health.get('')).toBe('SERVING');
    expect(await checkHealth(address)).toBe('SERVING');
    expect(await checkHealth(address, 'scoring.ScoringService')).toBe('SERVING');
    expect(await calculate(address, 's-late')).toMatchObject({ sessionId: 's-late', feedback: 'resource of probe' });
  });

  it('authorises each call by its caller certificate with the call policy, before the handler: PERMISSION_DENIED naming both', async () => {
    const service = await start();
    expect(await failure(analyzeAnswer(service.server.address))).toEqual({
      code: status.PERMISSION_DENIED,
      details: 'spiffe://interview-mesh/operator/operator may not call /scoring.ScoringService/AnalyzeAnswer',
    });
    expect(await calculate(service.server.address, 's-allowed')).toMatchObject({ sessionId: 's-allowed' });
  });

  it('with a slow create (300 ms), start resolves only once the resource exists', async () => {
    probe.createGate = undefined;
    const started = Date.now();
    const service = await start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(probe.steps).toEqual(['create started', 'created']);
    expect(service.health.get('')).toBe('SERVING');
  });

  it('consumes a published event through processOnce, and publishes the event its handler wrote to the outbox', async () => {
    await start();
    const messageId = randomUUID();
    await bus.publish(...happened('hello', messageId));

    await waitFor('the noticed event', () => observed.length === 1, 5_000, 10);
    const [event] = observed;
    expect(event.routingKey).toBe('probe.noticed');
    expect(JSON.parse(event.body.toString())).toEqual({ note: 'noticed hello' });
    expect(event.properties).toMatchObject({ correlationId: 'corr-hello', type: NOTICED.typeName, schemaVersion: 'v1' });

    expect(await db.selectFrom('probe_seen').selectAll().execute()).toEqual([{ message_id: messageId, note: 'hello' }]);
    expect(await db.selectFrom('inbox').select(['consumer', 'message_id']).execute()).toEqual([{ consumer: CONSUMED_QUEUE, message_id: messageId }]);
    await waitFor(
      'the outbox row marked published',
      async () => (await db.selectFrom('outbox').where('published_at', 'is', null).selectAll().execute()).length === 0,
      5_000,
      10,
    );

    // The same message again (a redelivery): handled, but its effect and event are not repeated.
    await bus.publish(...happened('hello', messageId));
    await waitFor('the second delivery', () => probe.handled.length === 2, 5_000, 10);
    await sleep(100);
    expect(observed).toHaveLength(1);
    expect(await db.selectFrom('probe_seen').selectAll().execute()).toHaveLength(1);
  });

  it('stops in order: health NOT_SERVING, consumers stop, in-flight work finishes, the outbox is flushed, release, then the resource is closed', async () => {
    const service = await start();
    const address = service.server.address;
    const handlerGate = gate();
    const rpcGate = gate();
    probe.handlerGate = handlerGate.promise;
    probe.rpcGate = rpcGate.promise;
    probe.steps.length = 0;

    await bus.publish(...happened('last'));
    const rpc = calculate(address, 's-in-flight');
    rpc.catch(() => undefined); // awaited below; a failed assertion before must not leave it unhandled
    await waitFor('the handler and the call in flight', () => probe.handled.length === 1 && probe.rpcStarted === 1, 5_000, 5);

    const stopping = stop(2_000).then(() => probe.steps.push('stop resolved'));
    expect(service.health.get('')).toBe('NOT_SERVING');
    expect(service.health.get('scoring.ScoringService')).toBe('NOT_SERVING');

    // A message published once the stop began is not taken (the queue keeps it for the next start).
    await sleep(20);
    await bus.publish(...happened('too late'));
    await sleep(50);
    expect(probe.handled).toEqual(['last']);
    expect(probe.steps).toEqual([`cancel ${CONSUMED_QUEUE} (health NOT_SERVING)`]);

    // The call finishes first; the stop must still wait for the message in hand.
    rpcGate.open();
    expect(await rpc).toMatchObject({ sessionId: 's-in-flight' });
    await sleep(50);
    expect(probe.steps).not.toContain('release');
    handlerGate.open();
    await stopping;

    const at = (step: string) => {
      const index = probe.steps.indexOf(step);
      if (index < 0) throw new Error(`no step "${step}" in ${JSON.stringify(probe.steps)}`);
      return index;
    };
    expect(at(`cancel ${CONSUMED_QUEUE} (health NOT_SERVING)`)).toBe(0);
    expect(at('handler finished (last)')).toBeLessThan(at(`cancelled ${CONSUMED_QUEUE}`));
    expect(at('handler finished (last)')).toBeLessThan(at('release'));
    expect(at('rpc finished')).toBeLessThan(at('release'));
    expect(at(`cancelled ${CONSUMED_QUEUE}`)).toBeLessThan(at('release'));
    expect(at('published probe.noticed (noticed last)')).toBeLessThan(at('release'));
    expect(probe.steps.slice(-3)).toEqual(['release', 'resource closed (resource of probe)', 'stop resolved']);
    expect(probe.handled).toEqual(['last']);
    expect(await db.selectFrom('outbox').where('published_at', 'is', null).selectAll().execute()).toEqual([]);
  });

  it('flushes at stop the outbox rows the relay had not published yet', async () => {
    // The relay polls once a minute: only a wake-up or the flush at stop publishes a row.
    await start({ config: { outboxPollMs: 60_000 } });
    await sleep(50);
    await db
      .insertInto('outbox')
      .values({
        message_id: randomUUID(),
        routing_key: NOTICED.routingKey,
        message_type: NOTICED.typeName,
        schema_version: 'v1',
        correlation_id: 'raw',
        body: Buffer.from(JSON.stringify({ note: 'written without waking the relay' })),
        claimed_until: null,
        published_at: null,
        last_error: null,
      })
      .execute();
    await sleep(150);
    expect(observed).toEqual([]);

    probe.steps.length = 0;
    await stop();
    probe.steps.push('stop resolved');
    expect(probe.steps.indexOf('published probe.noticed (written without waking the relay)')).toBeGreaterThanOrEqual(0);
    expect(probe.steps.indexOf('published probe.noticed (written without waking the relay)')).toBeLessThan(probe.steps.indexOf('release'));
    await waitFor('the observer to get it', () => observed.length === 1, 2_000, 10);
    expect(observed[0].properties.correlationId).toBe('raw');
  });

  it("shows a downstream's breaker state in health as probe.dependency.<key>", async () => {
    const service = await start();
    const address = service.server.address;
    const name = 'probe.dependency.scoring';
    expect(await checkHealth(address, name)).toBe('SERVING');

    downstream.set('open');
    expect(await checkHealth(address, name)).toBe('NOT_SERVING');
    // The service itself still serves: only the dependency entry follows the breaker.
    expect(await checkHealth(address)).toBe('SERVING');

    downstream.set('half-open');
    expect(await checkHealth(address, name)).toBe('SERVING');
    downstream.set('open');
    downstream.set('closed');
    expect(await checkHealth(address, name)).toBe('SERVING');
  });

  it('throws a clear Error when the parts serve another gRPC service than the descriptor declares', async () => {
    probe.servedName = 'emotion.EmotionService';
    await expect(start()).rejects.toThrow('probe declares gRPC services [scoring.ScoringService] but started [emotion.EmotionService]');
    expect(probe.steps).toEqual([]);
  });

  it('throws a clear Error when the parts handle another queue than the descriptor declares', async () => {
    probe.handledQueue = 'probe.other';
    await expect(start()).rejects.toThrow('probe declares queues [probe.events] but handles [probe.other]');
    expect(probe.steps).toEqual([]);
  });

  it('abandons the start when the resource cannot be created: releases the parts and stops the server', async () => {
    probe.createFails = new Error('model file missing');
    const port = await freePort();
    await expect(start({ port })).rejects.toThrow('model file missing');
    expect(probe.steps).toEqual(['create started', 'release']);
    await expect(checkHealth(`127.0.0.1:${port}`)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    // Its consumer is gone: a message for it waits in the queue.
    await bus.publish(...happened('nobody'));
    await sleep(50);
    expect(probe.handled).toEqual([]);
  });
});
