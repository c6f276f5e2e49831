import { Kysely, sql } from 'kysely';
import { messagingTablesMigration } from '../../../src/platform/messaging/messaging-migration';
import { outboxTraceContextMigration, requireOutboxTraceContext } from '../../../src/platform/messaging/trace-context-migration';
import { outboxContentTypeMigration, requireOutboxContentType } from '../../../src/platform/messaging/content-type-migration';
import { Delivery, EventProperties } from '../../../src/platform/bus/event-bus';
import { CONTENT_TYPES, decodeEvent, EVENTS } from '../../../src/platform/bus/event-catalog';
import { MemoryBus } from '../../../src/platform/bus/memory-bus';
import { RoutingKey } from '../../../src/platform/bus/topology';
import { DatabaseHandle, openDatabase } from '../../../src/platform/db/database';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { silentLogger } from '../../../src/platform/log/logger';
import { processOnce } from '../../../src/platform/messaging/inbox';
import { MessagingTables } from '../../../src/platform/messaging/messaging-tables';
import { Outbox } from '../../../src/platform/messaging/outbox';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from '../../../src/platform/messaging/outbox-relay';

/** A bus that records what it was asked to publish and fails while `down` is set. */
class RecordingBus extends MemoryBus {
  down = false;
  readonly published: { routingKey: string; body: Buffer; properties: EventProperties }[] = [];
  override publish(routingKey: RoutingKey, body: Buffer, properties: EventProperties): Promise<void> {
    if (this.down) return Promise.reject(new Error('broker unreachable'));
    this.published.push({ routingKey, body, properties });
    return Promise.resolve();
  }
}

const scored = (sessionId: string) => ({
  sessionId,
  userId: 'u',
  technicalScore: 1,
  communicationScore: 2,
  emotionScore: 3,
  overallScore: 4,
  feedback: '',
  calculatedAt: new Date(0),
});
const relayOptions = { ...DEFAULT_RELAY_OPTIONS, pollMs: 10_000, batchSize: 2 };

/** Resolves once `condition` holds, polled every 10 ms; rejects after 5 s. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('transactional outbox and inbox (PGlite)', () => {
  let database: DatabaseHandle;
  let db: Kysely<MessagingTables>;

  beforeAll(async () => {
    database = await openDatabase({ url: undefined, dataDir: 'memory://', log: silentLogger() });
    await migrateSchema(
      database.forService('messaging_test'),
      'messaging_test',
      {
        '0001_outbox_inbox': messagingTablesMigration,
        '0002_outbox_trace_context': outboxTraceContextMigration,
        '0003_outbox_content_type': outboxContentTypeMigration,
      },
      silentLogger(),
    );
    db = database.forService<MessagingTables>('messaging_test');
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await db.deleteFrom('outbox').execute();
    await db.deleteFrom('inbox').execute();
  });

  const unpublished = async () =>
    Number(
      (
        await db
          .selectFrom('outbox')
          .select(sql<string>`count(*)`.as('n'))
          .where('published_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('publishes an event only when its transaction commits, then marks it published', async () => {
    const bus = new RecordingBus(silentLogger(), {});
    const relay = new OutboxRelay(db, bus, silentLogger(), relayOptions);
    const outbox = new Outbox(db, relay, silentLogger());
    await expect(
      outbox.transaction(async (trx) => {
        await outbox.add(trx, EVENTS.scored, scored('rolled-back'), 'rolled-back');
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    const id = await outbox.transaction((trx) => outbox.add(trx, EVENTS.scored, scored('kept'), 'kept'));

    expect(await relay.flushAndStop(5_000)).toBe(0);
    expect(bus.published.map((p) => p.properties.messageId)).toEqual([id]);
    expect(bus.published[0]).toMatchObject({
      routingKey: 'interview.scored',
      properties: { correlationId: 'kept', type: EVENTS.scored.typeName, schemaVersion: 'v1', contentType: CONTENT_TYPES.json },
    });
    expect(await unpublished()).toBe(0);
  });

  it("stores each event's content type with its body and publishes it: a frame as binary protobuf, the rest as JSON", async () => {
    const bus = new RecordingBus(silentLogger(), {});
    const relay = new OutboxRelay(db, bus, silentLogger(), relayOptions);
    const outbox = new Outbox(db, relay, silentLogger());
    const image = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]);
    const frame = { sessionId: 'f', timestamp: new Date(1_000), imageData: image, format: 'jpeg', frameNumber: 7, analysis: undefined };
    await outbox.transaction(async (trx) => {
      await outbox.add(trx, EVENTS.frameCaptured, frame, 'f');
      await outbox.add(trx, EVENTS.scored, scored('f'), 'f');
    });
    const rows = await db.selectFrom('outbox').select(['routing_key', 'content_type']).orderBy('seq').execute();
    expect(rows).toEqual([
      { routing_key: EVENTS.frameCaptured.routingKey, content_type: CONTENT_TYPES.protobuf },
      { routing_key: EVENTS.scored.routingKey, content_type: CONTENT_TYPES.json },
    ]);

    expect(await relay.flushAndStop(5_000)).toBe(0);
    expect(bus.published.map((p) => [p.routingKey, p.properties.contentType])).toEqual([
      [EVENTS.frameCaptured.routingKey, CONTENT_TYPES.protobuf],
      [EVENTS.scored.routingKey, CONTENT_TYPES.json],
    ]);
    const [published] = bus.published;
    const delivery: Delivery = {
      routingKey: published.routingKey,
      body: published.body,
      properties: published.properties,
      redelivered: false,
      attempt: 1,
      publisher: '',
    };
    expect(decodeEvent(EVENTS.frameCaptured, delivery)).toEqual(frame);
  });

  it('publishes a row written without a content type (before the column) as JSON', async () => {
    const bus = new RecordingBus(silentLogger(), {});
    const relay = new OutboxRelay(db, bus, silentLogger(), relayOptions);
    await db
      .insertInto('outbox')
      .values({
        message_id: '6f1c1c35-0d0e-4b8f-9d55-0c2f3c8f0a01',
        routing_key: EVENTS.scored.routingKey,
        message_type: EVENTS.scored.typeName,
        schema_version: 'v1',
        correlation_id: 'old',
        body: Buffer.from('{"session_id":"old"}'),
        claimed_until: null,
        published_at: null,
        last_error: null,
        trace_context: null,
      })
      .execute();
    expect(await relay.flushAndStop(5_000)).toBe(0);
    expect(bus.published.map((p) => p.properties.contentType)).toEqual([CONTENT_TYPES.json]);
  });

  it('keeps rows the broker did not confirm and publishes them, in order, once it is back', async () => {
    const bus = new RecordingBus(silentLogger(), {});
    const relay = new OutboxRelay(db, bus, silentLogger(), relayOptions);
    const outbox = new Outbox(db, relay, silentLogger());
    const ids: string[] = [];
    for (const session of ['a', 'b', 'c']) ids.push(await outbox.transaction((trx) => outbox.add(trx, EVENTS.scored, scored(session), session)));
    bus.down = true;
    expect(await relay.flushAndStop(300)).toBe(3);
    const [row] = await db.selectFrom('outbox').select(['attempts', 'last_error', 'claimed_until']).orderBy('seq').limit(1).execute();
    expect(row.attempts).toBeGreaterThan(0);
    expect(row.last_error).toContain('broker unreachable');
    expect(row.claimed_until).toBeNull();

    bus.down = false;
    const again = new OutboxRelay(db, bus, silentLogger(), relayOptions);
    expect(await again.flushAndStop(5_000)).toBe(0);
    expect(bus.published.map((p) => p.properties.messageId)).toEqual(ids);
  });

  it('does not relay a row another relay holds under its lease', async () => {
    const bus = new RecordingBus(silentLogger(), {});
    const outbox = new Outbox(db, new OutboxRelay(db, bus, silentLogger(), relayOptions), silentLogger());
    await outbox.transaction((trx) => outbox.add(trx, EVENTS.scored, scored('leased'), 'leased'));
    await db
      .updateTable('outbox')
      .set({ claimed_until: sql`now() + interval '1 minute'` })
      .execute();
    expect(await new OutboxRelay(db, bus, silentLogger(), relayOptions).flushAndStop(200)).toBe(1);
    expect(bus.published).toEqual([]);
  });

  it('hands the relay the events a committed transaction added, and nothing for one that added none', async () => {
    const relay = new OutboxRelay(db, new RecordingBus(silentLogger(), {}), silentLogger(), relayOptions);
    const handOver = jest.spyOn(relay, 'handOver');
    relay.start();
    const outbox = new Outbox(db, relay, silentLogger());
    await outbox.transaction(async (trx) => {
      await trx.insertInto('inbox').values({ consumer: 'test.consumer', message_id: 'no-event' }).execute();
    });
    expect(handOver).not.toHaveBeenCalled();
    const id = await outbox.transaction((trx) => outbox.add(trx, EVENTS.scored, scored('handed'), 'handed'));
    expect(handOver).toHaveBeenCalledTimes(1);
    expect(handOver.mock.calls[0][0].map((row) => row.message_id)).toEqual([id]);
    await relay.flushAndStop(5_000);
  });

  it("publishes a running relay's events without claiming them: born leased, marked published in one batch", async () => {
    const bus = new RecordingBus(silentLogger(), {});
    const relay = new OutboxRelay(db, bus, silentLogger(), { ...relayOptions, settleDelayMs: 200 });
    const claim = jest.spyOn(relay as unknown as { claim: () => Promise<unknown> }, 'claim');
    const settle = jest.spyOn(relay as unknown as { settleNow: () => Promise<void> }, 'settleNow');
    relay.start(); // its first round claims (the outbox is empty); the next is 10 s away
    await waitFor(() => Promise.resolve(claim.mock.calls.length === 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    claim.mockClear();
    settle.mockClear();
    const outbox = new Outbox(db, relay, silentLogger());
    const ids = await Promise.all(['a', 'b', 'c'].map((s) => outbox.transaction((trx) => outbox.add(trx, EVENTS.scored, scored(s), s))));
    const born = await db.selectFrom('outbox').select(['attempts', 'claimed_until']).execute();
    expect(born.every((row) => row.attempts === 1 && row.claimed_until !== null)).toBe(true);
    await waitFor(async () => (await unpublished()) === 0);
    expect(bus.published.map((p) => p.properties.messageId).sort()).toEqual([...ids].sort());
    expect(claim).not.toHaveBeenCalled();
    expect(settle).toHaveBeenCalledTimes(1); // the three rows marked by one UPDATE
    expect(await relay.flushAndStop(1_000)).toBe(0);
  });

  it('marks confirmed rows published at once when asked (settleConfirmed), before their batch is due', async () => {
    const bus = new RecordingBus(silentLogger(), {});
    const relay = new OutboxRelay(db, bus, silentLogger(), { ...relayOptions, settleDelayMs: 60_000 });
    relay.start();
    const outbox = new Outbox(db, relay, silentLogger());
    await outbox.transaction((trx) => outbox.add(trx, EVENTS.scored, scored('gauge'), 'gauge'));
    await waitFor(() => Promise.resolve(bus.published.length === 1));
    expect(await unpublished()).toBe(1); // delivered, not yet marked: its batch is a minute away
    await relay.settleConfirmed();
    expect(await unpublished()).toBe(0);
    await relay.flushAndStop(1_000);
  });

  it('publishes the events of a process that died before handing them over once their lease ends', async () => {
    const dead = new OutboxRelay(db, new RecordingBus(silentLogger(), {}), silentLogger(), { ...relayOptions, handOverLeaseMs: 300 });
    dead.start();
    const outbox = new Outbox(db, dead, silentLogger());
    jest.spyOn(dead, 'handOver').mockImplementation(() => undefined); // dies between the commit and the publish
    const id = await outbox.transaction((trx) => outbox.add(trx, EVENTS.scored, scored('orphan'), 'orphan'));

    const bus = new RecordingBus(silentLogger(), {});
    expect(await new OutboxRelay(db, bus, silentLogger(), relayOptions).flushAndStop(100)).toBe(1); // still leased
    expect(bus.published).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await new OutboxRelay(db, bus, silentLogger(), relayOptions).flushAndStop(5_000)).toBe(0);
    expect(bus.published.map((p) => p.properties.messageId)).toEqual([id]);
    await dead.flushAndStop(0);
  });

  it('releases for the polling rounds an event its running relay could not publish', async () => {
    const bus = new RecordingBus(silentLogger(), {});
    bus.down = true;
    const relay = new OutboxRelay(db, bus, silentLogger(), { ...relayOptions, pollMs: 20 });
    relay.start();
    const outbox = new Outbox(db, relay, silentLogger());
    const id = await outbox.transaction((trx) => outbox.add(trx, EVENTS.scored, scored('released'), 'released'));
    await waitFor(async () => (await db.selectFrom('outbox').select('last_error').executeTakeFirstOrThrow()).last_error !== null);
    bus.down = false;
    await waitFor(async () => (await unpublished()) === 0);
    expect(bus.published.map((p) => p.properties.messageId)).toEqual([id]);
    expect(await relay.flushAndStop(1_000)).toBe(0);
  });

  it('runs a message effect once however often the message is delivered, and keeps nothing of a failed attempt', async () => {
    const outbox = new Outbox(db, new OutboxRelay(db, new RecordingBus(silentLogger(), {}), silentLogger(), relayOptions), silentLogger());
    const delivery: Delivery = {
      routingKey: 'interview.scored',
      body: Buffer.from('{}'),
      redelivered: false,
      attempt: 1,
      publisher: 'mesh-scoring',
      properties: { messageId: 'm-1', correlationId: 's', type: EVENTS.scored.typeName, schemaVersion: 'v1', timestamp: 0 },
    };
    let effects = 0;
    const countEffect = () => {
      effects += 1;
      return Promise.resolve();
    };
    await expect(processOnce(outbox, 'test.consumer', delivery, () => Promise.reject(new Error('database refused')))).rejects.toThrow('database refused');
    expect(await processOnce(outbox, 'test.consumer', { ...delivery, attempt: 2 }, countEffect)).toBe(true);
    expect(await processOnce(outbox, 'test.consumer', { ...delivery, redelivered: true }, countEffect)).toBe(false);
    // Another consumer of the same message has an inbox entry of its own.
    expect(await processOnce(outbox, 'other.consumer', delivery, countEffect)).toBe(true);
    expect(effects).toBe(2);
  });

  it('rejects a message without a message id as unprocessable: it could not be deduplicated', async () => {
    const outbox = new Outbox(db, new OutboxRelay(db, new RecordingBus(silentLogger(), {}), silentLogger(), relayOptions), silentLogger());
    const delivery: Delivery = {
      routingKey: 'interview.scored',
      body: Buffer.from('{}'),
      redelivered: false,
      attempt: 1,
      publisher: 'mesh-scoring',
      properties: { messageId: '', correlationId: 's', type: '', schemaVersion: 'v1', timestamp: 0 },
    };
    await expect(processOnce(outbox, 'test.consumer', delivery, () => Promise.resolve())).rejects.toThrow(/no message_id/);
  });

  it("names the missing migration when a service's outbox lacks its trace_context column", async () => {
    await migrateSchema(database.forService('messaging_old'), 'messaging_old', { '0001_outbox_inbox': messagingTablesMigration }, silentLogger());
    await expect(requireOutboxTraceContext(database.forService<MessagingTables>('messaging_old'), 'old')).rejects.toThrow(
      "the old service's outbox has no trace_context column: list outboxTraceContextMigration after messagingTablesMigration among its migrations",
    );
    await expect(requireOutboxTraceContext(db, 'current')).resolves.toBeUndefined();
  });

  it("names the missing migration when a service's outbox lacks its content_type column", async () => {
    await migrateSchema(
      database.forService('messaging_traced'),
      'messaging_traced',
      { '0001_outbox_inbox': messagingTablesMigration, '0002_outbox_trace_context': outboxTraceContextMigration },
      silentLogger(),
    );
    await expect(requireOutboxContentType(database.forService<MessagingTables>('messaging_traced'), 'traced')).rejects.toThrow(
      "the traced service's outbox has no content_type column: list outboxContentTypeMigration after outboxTraceContextMigration among its migrations",
    );
    await expect(requireOutboxContentType(db, 'current')).resolves.toBeUndefined();
  });
});
