/**
 * Rate limits (src/platform/limits): createRateLimit on both stores — memory, and PostgreSQL
 * (PGlite in memory, the table rateLimitsMigration creates) shared by two limits standing for two
 * replicas — RateLimitedError as the edge reports it (RESOURCE_EXHAUSTED with google.rpc.RetryInfo
 * and google.rpc.ErrorInfo in grpc-status-details-bin), limitInterceptor, clientAddress, and the
 * LIMIT_<NAME> variables.
 */
import { Metadata, status } from '@grpc/grpc-js';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { ConfigError } from '../../../src/platform/config/env';
import { migrateSchema } from '../../../src/platform/db/migrate';
import { LimitExceededError } from '../../../src/platform/errors/domain-errors';
import { CallContext } from '../../../src/platform/grpc/call-context';
import { toStatus } from '../../../src/platform/grpc/errors';
import { clientAddress, FORWARDED_FOR, forwardedClientAddress, limitInterceptor } from '../../../src/platform/limits/limit-interceptor';
import { addressRequestLimit, limitFromEnv, limitVariable } from '../../../src/platform/limits/limit-settings';
import { createRateLimit, LimitSpec, LimitStore, RateLimit, RateLimitedError, SqlQuery } from '../../../src/platform/limits/rate-limit';
import { rateLimitsMigration } from '../../../src/platform/limits/rate-limits-migration';
import { silentLogger } from '../../../src/platform/log/logger';
import { statusDetails } from '../../support/status-details';
import { sleep } from '../../support/wait';

jest.setTimeout(30_000);

const MEMORY: LimitStore = { kind: 'memory' };
const spec = (name: string, max: number, windowSeconds = 60, unit = 'calls'): LimitSpec => ({ name, max, windowSeconds, unit });

/** The RateLimitedError `take` refuses with; fails the test when it passes or throws anything else. */
async function refusal(take: Promise<void>): Promise<RateLimitedError> {
  try {
    await take;
  } catch (error) {
    if (error instanceof RateLimitedError) return error;
    throw new Error(`expected a RateLimitedError, got ${String(error)}`, { cause: error });
  }
  throw new Error('the take passed');
}

/** Takes `count` units for `key`, one after the other (each must pass). */
async function takeTimes(limit: RateLimit, key: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await limit.take(key);
}

describe('createRateLimit, memory store', () => {
  it('lets max takes pass and refuses the next with RateLimitedError: retry within the window, the limit named', async () => {
    const limit = createRateLimit(spec('test_calls_per_minute', 3), MEMORY);
    await takeTimes(limit, 'user-1', 3);
    const refused = await refusal(limit.take('user-1'));
    expect(refused).toBeInstanceOf(LimitExceededError);
    expect(refused.kind).toBe('limit-exceeded');
    expect(refused.limit).toEqual(spec('test_calls_per_minute', 3));
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(refused.message).toMatch(/^limit test_calls_per_minute reached \(3 calls per minute\); retry in \d+ m?s$/);
    // Refused again while the window lasts.
    await refusal(limit.take('user-1'));
  });

  it('counts each key on its own', async () => {
    const limit = createRateLimit(spec('test_keys', 2), MEMORY);
    await takeTimes(limit, 'a', 2);
    await refusal(limit.take('a'));
    await takeTimes(limit, 'b', 2);
    await refusal(limit.take('b'));
  });

  it('counts each limit on its own, whatever the key', async () => {
    const first = createRateLimit(spec('test_first', 1), MEMORY);
    const second = createRateLimit(spec('test_second', 1), MEMORY);
    await first.take('k');
    await second.take('k');
    expect((await refusal(first.take('k'))).limit.name).toBe('test_first');
    expect((await refusal(second.take('k'))).limit.name).toBe('test_second');
  });

  it('frees a unit with giveBack', async () => {
    const limit = createRateLimit(spec('test_give_back', 2), MEMORY);
    await takeTimes(limit, 'k', 2);
    await limit.giveBack('k');
    await limit.take('k');
    await refusal(limit.take('k'));
  });

  it('counts no unit for a refused take: once a holder gives its unit back, the next take passes', async () => {
    // A concurrency limit (open streams): one holder, one caller refused, the holder leaves.
    const limit = createRateLimit(spec('test_concurrency', 1), MEMORY);
    await limit.take('k');
    await refusal(limit.take('k'));
    await refusal(limit.take('k'));
    await limit.giveBack('k');
    await limit.take('k');
    await refusal(limit.take('k'));
  });

  it('gives back no unit that is not held: a window that ended under its holders allows max again, not one more', async () => {
    // A unit held across the end of its window (a stream open longer than the counter's window).
    const limit = createRateLimit(spec('test_held_across_windows', 1, 1), MEMORY);
    await limit.take('k');
    await sleep(1_100);
    await limit.giveBack('k');
    await limit.take('k');
    await refusal(limit.take('k'));
  });

  it('serves the key again once the window that refused it has passed', async () => {
    const limit = createRateLimit(spec('test_per_second', 1, 1, 'frames'), MEMORY);
    await limit.take('k');
    const refused = await refusal(limit.take('k'));
    expect(refused.message).toMatch(/^limit test_per_second reached \(1 frames per second\); retry in (\d{1,3} ms|1 s)$/);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1_000);
    await sleep(refused.retryAfterMs + 100);
    await limit.take('k');
  });
});

describe('createRateLimit, PostgreSQL store (PGlite)', () => {
  const SCHEMA = 'limits_test';
  let pglite: PGlite;
  let db: Kysely<unknown>;
  let store: LimitStore;

  beforeAll(async () => {
    pglite = await PGlite.create();
    db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
    await migrateSchema(db.withSchema(SCHEMA), SCHEMA, { '0001_rate_limits': rateLimitsMigration }, silentLogger());
    const query: SqlQuery = (text, values) => pglite.query(text, [...values]);
    store = { kind: 'postgres', schema: SCHEMA, query };
  });

  afterAll(async () => {
    await db.destroy();
  });

  // `expire` is a bigint: a number from PGlite, a string from pg.
  const rows = async () =>
    (await pglite.query<{ key: string; points: number; expire: number | string }>(`select key, points, expire from ${SCHEMA}.rate_limits order by key`)).rows;

  it('shares one count between two limits on the same store (two replicas)', async () => {
    const replicaA = createRateLimit(spec('test_shared', 3), store);
    const replicaB = createRateLimit(spec('test_shared', 3), store);
    await replicaA.take('user-1');
    await replicaB.take('user-1');
    await replicaA.take('user-1');
    const refused = await refusal(replicaB.take('user-1'));
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(refused.message).toMatch(/^limit test_shared reached \(3 calls per minute\); retry in \d+ m?s$/);
    await refusal(replicaA.take('user-1'));
    // Another key is counted apart.
    await replicaB.take('user-2');
  });

  it('keeps the counters as rows of <schema>.rate_limits, keyed <limit>:<key>, expiring at the end of the window', async () => {
    const before = Date.now();
    const limit = createRateLimit(spec('test_rows', 5), store);
    await takeTimes(limit, 'alice', 2);
    await limit.take('bob');
    const mine = (await rows()).filter((row) => row.key.startsWith('test_rows:'));
    expect(mine.map(({ key, points }) => ({ key, points }))).toEqual([
      { key: 'test_rows:alice', points: 2 },
      { key: 'test_rows:bob', points: 1 },
    ]);
    for (const row of mine) {
      expect(Number(row.expire)).toBeGreaterThan(before);
      expect(Number(row.expire)).toBeLessThanOrEqual(Date.now() + 60_000);
    }
    // giveBack takes a unit off the row: every replica sees it.
    await limit.giveBack('alice');
    expect((await rows()).find((row) => row.key === 'test_rows:alice')?.points).toBe(1);
  });

  it("counts a per-replica limit in each replica's memory: no row, and one replica's count is not the other's", async () => {
    const local = { ...spec('test_per_replica', 2), perReplica: true };
    const replicaA = createRateLimit(local, store);
    const replicaB = createRateLimit(local, store);
    await takeTimes(replicaA, 'address', 2);
    await refusal(replicaA.take('address'));
    await takeTimes(replicaB, 'address', 2);
    await refusal(replicaB.take('address'));
    expect((await rows()).filter((row) => row.key.startsWith('test_per_replica:'))).toEqual([]);
  });

  it('counts no unit for a refused take, on either replica', async () => {
    const replicaA = createRateLimit(spec('test_pg_concurrency', 1), store);
    const replicaB = createRateLimit(spec('test_pg_concurrency', 1), store);
    await replicaA.take('k');
    await refusal(replicaB.take('k'));
    await replicaA.giveBack('k');
    await replicaB.take('k');
    expect((await rows()).find((row) => row.key === 'test_pg_concurrency:k')?.points).toBe(1);
  });

  it('falls back to a counter in memory when the database fails, rather than refusing or waving through every call', async () => {
    const broken: LimitStore = { kind: 'postgres', schema: SCHEMA, query: () => Promise.reject(new Error('connection refused')) };
    const limit = createRateLimit(spec('test_insurance', 2), broken);
    await takeTimes(limit, 'k', 2);
    expect((await refusal(limit.take('k'))).limit.name).toBe('test_insurance');
  });
});

describe('RateLimitedError at the edge (toStatus)', () => {
  it('is RESOURCE_EXHAUSTED with a google.rpc.Status carrying RetryInfo and ErrorInfo in grpc-status-details-bin', () => {
    const limit = spec('requests_per_user_per_minute', 100, 60, 'requests');
    const error = new RateLimitedError(limit, 12_345.4);
    const edge = toStatus(error);
    expect(edge.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(edge.details).toBe('limit requests_per_user_per_minute reached (100 requests per minute); retry in 13 s');
    const details = statusDetails(edge.metadata);
    expect(details).toBeDefined();
    expect(details?.code).toBe(8);
    expect(details?.message).toBe(edge.details);
    expect(details?.typeUrls).toEqual(['type.googleapis.com/google.rpc.RetryInfo', 'type.googleapis.com/google.rpc.ErrorInfo']);
    // Whole milliseconds, rounded up: never sooner than the limit allows.
    expect(details?.retryDelayMs).toBeGreaterThanOrEqual(error.retryAfterMs);
    expect(details?.retryDelayMs).toBeLessThan(error.retryAfterMs + 1);
    expect(details?.errorInfo).toEqual({
      reason: 'RATE_LIMIT_EXCEEDED',
      domain: 'interview-mesh',
      metadata: { limit: 'requests_per_user_per_minute', max: '100', window_seconds: '60' },
    });
  });

  it('has no status details for other errors', () => {
    expect(toStatus(new LimitExceededError('image is too large')).metadata).toBeUndefined();
  });
});

describe('limitInterceptor', () => {
  const context = (peer: string): CallContext => ({
    method: '/test.v1.Test/Call',
    metadata: new Metadata(),
    deadline: undefined,
    signal: new AbortController().signal,
    peer,
    caller: undefined,
    log: silentLogger(),
  });

  it('counts calls by their key, refuses past the limit without running the call, and lets keyless calls through uncounted', async () => {
    const interceptor = limitInterceptor(createRateLimit(spec('test_interceptor', 2), MEMORY), (ctx) =>
      ctx.peer === 'unix:/run/exempt.sock' ? undefined : clientAddress(ctx.peer),
    );
    let ran = 0;
    const next = () => {
      ran++;
      return Promise.resolve();
    };
    await interceptor(context('ipv4:10.0.0.7:50001'), next);
    // Another port of the same host is the same client.
    await interceptor(context('ipv4:10.0.0.7:50002'), next);
    await expect(interceptor(context('ipv4:10.0.0.7:50003'), next)).rejects.toBeInstanceOf(RateLimitedError);
    expect(ran).toBe(2);
    await interceptor(context('ipv4:10.0.0.8:50001'), next);
    for (let i = 0; i < 5; i++) await interceptor(context('unix:/run/exempt.sock'), next);
    expect(ran).toBe(8);
  });
});

describe("forwardedClientAddress: x-forwarded-for believed from the gateway's certificate alone", () => {
  /** A call from `peer` by the workload of its verified client certificate (`caller`), with x-forwarded-for `forwarded`. */
  const call = (peer: string, caller: CallContext['caller'], ...forwarded: string[]): CallContext => {
    const metadata = new Metadata();
    for (const value of forwarded) metadata.add(FORWARDED_FOR, value);
    return {
      method: '/interview.v1.InterviewService/GetInterview',
      metadata,
      deadline: undefined,
      signal: new AbortController().signal,
      peer,
      caller,
      log: silentLogger(),
    };
  };
  const GATEWAY = { kind: 'service', name: 'gateway' } as const;
  const FORWARDERS = ['service:gateway'] as const;
  const GATEWAY_PEER = 'ipv4:10.0.0.2:40000';

  it("counts a gateway's calls by the browser's address it forwards: its users do not share the gateway's one budget", async () => {
    expect(forwardedClientAddress(call(GATEWAY_PEER, GATEWAY, '203.0.113.7'), FORWARDERS)).toBe('203.0.113.7');
    expect(forwardedClientAddress(call(GATEWAY_PEER, GATEWAY, '::ffff:203.0.113.7'), FORWARDERS)).toBe('203.0.113.7');
    expect(forwardedClientAddress(call(GATEWAY_PEER, GATEWAY, '2001:db8::9'), FORWARDERS)).toBe('2001:db8::9');
    // A list: the last entry, the one the gateway added.
    expect(forwardedClientAddress(call(GATEWAY_PEER, GATEWAY, '198.51.100.1, 203.0.113.7'), FORWARDERS)).toBe('203.0.113.7');
    const interceptor = limitInterceptor(createRateLimit(spec('test_forwarded', 2), MEMORY), (ctx) => forwardedClientAddress(ctx, FORWARDERS));
    const next = () => Promise.resolve();
    for (const browser of ['203.0.113.7', '203.0.113.8', '203.0.113.9']) {
      await interceptor(call(GATEWAY_PEER, GATEWAY, browser), next);
      await interceptor(call(GATEWAY_PEER, GATEWAY, browser), next);
    }
    // Six calls through one gateway, two per browser: each browser at its own limit, none refused until it passes it.
    await expect(interceptor(call(GATEWAY_PEER, GATEWAY, '203.0.113.7'), next)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("ignores another caller's header, forged or not: a client (or another service) cannot pick its own counter", async () => {
    const forged = '198.51.100.66';
    // A person's client: no mesh certificate.
    expect(forwardedClientAddress(call('ipv4:192.0.2.5:5000', undefined, forged), FORWARDERS)).toBe('192.0.2.5');
    // Another service of the mesh, and an operator, with certificates of the CA but not the gateway's.
    expect(forwardedClientAddress(call('ipv4:10.0.0.3:5000', { kind: 'service', name: 'interview' }, forged), FORWARDERS)).toBe('10.0.0.3');
    expect(forwardedClientAddress(call('ipv4:10.0.0.4:5000', { kind: 'operator', name: 'gateway' }, forged), FORWARDERS)).toBe('10.0.0.4');
    // No forwarders: the peer always.
    expect(forwardedClientAddress(call(GATEWAY_PEER, GATEWAY, forged), [])).toBe('10.0.0.2');
    const interceptor = limitInterceptor(createRateLimit(spec('test_forged', 2), MEMORY), (ctx) => forwardedClientAddress(ctx, FORWARDERS));
    const next = () => Promise.resolve();
    await interceptor(call('ipv4:192.0.2.5:5000', undefined, '198.51.100.1'), next);
    await interceptor(call('ipv4:192.0.2.5:5001', undefined, '198.51.100.2'), next);
    // A new forged address per call does not buy a new budget.
    await expect(interceptor(call('ipv4:192.0.2.5:5002', undefined, '198.51.100.3'), next)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("falls back to the gateway's own address when what it forwards is not an IP address or is oversized (one shared counter, never none)", () => {
    for (const value of ['', 'not-an-address', '203.0.113.7:443:x', '1'.repeat(300), 'unix:/tmp/x'])
      expect({ value, key: forwardedClientAddress(call(GATEWAY_PEER, GATEWAY, value), FORWARDERS) }).toEqual({ value, key: '10.0.0.2' });
    expect(forwardedClientAddress(call(GATEWAY_PEER, GATEWAY), FORWARDERS)).toBe('10.0.0.2');
  });
});

describe('clientAddress', () => {
  it.each([
    ['ipv4:10.0.0.7:51234', '10.0.0.7'],
    ['ipv4:127.0.0.1', '127.0.0.1'],
    ['ipv6:[::1]:51234', '::1'],
    ['ipv6:[2001:db8::7]:443', '2001:db8::7'],
    // An IPv4-mapped address (a dual-stack socket's view of an IPv4 client) is the IPv4 client.
    ['ipv6:[::ffff:10.0.0.7]:51234', '10.0.0.7'],
    ['unix:/var/run/mesh.sock', 'unix:/var/run/mesh.sock'],
    // What a grpc-js server's call.getPeer() gives: `${remoteAddress}:${remotePort}`, IPv6 unbracketed.
    ['127.0.0.1:54956', '127.0.0.1'],
    ['10.0.0.7:51234', '10.0.0.7'],
    ['::1:38468', '::1'],
    ['::ffff:10.0.0.7:51234', '10.0.0.7'],
  ])('reads %s as %s', (peer, address) => {
    expect(clientAddress(peer)).toBe(address);
  });
});

describe('limitFromEnv', () => {
  const VARIABLE = 'LIMIT_REQUESTS_PER_USER_PER_MINUTE';
  const read = (value: string | undefined) => limitFromEnv({ [VARIABLE]: value }, 'requests_per_user_per_minute', 100, 60, 'requests');

  it('names the variable LIMIT_<NAME>', () => {
    expect(limitVariable('requests_per_user_per_minute')).toBe(VARIABLE);
    expect(limitVariable('frames_per_interview_per_second')).toBe('LIMIT_FRAMES_PER_INTERVIEW_PER_SECOND');
  });

  it('reads the maximum from LIMIT_<NAME>, and keeps the name, window and unit', () => {
    expect(read('7')).toEqual({ name: 'requests_per_user_per_minute', max: 7, windowSeconds: 60, unit: 'requests', perReplica: false });
  });

  it('gives the default when the variable is unset or blank', () => {
    expect(read(undefined).max).toBe(100);
    expect(read('').max).toBe(100);
    expect(limitFromEnv({}, 'requests_per_user_per_minute', 100, 60, 'requests').max).toBe(100);
  });

  it.each(['0', '-1', '1.5', 'abc'])('refuses %p with a ConfigError naming the variable', (value) => {
    expect(() => read(value)).toThrow(ConfigError);
    expect(() => read(value)).toThrow(VARIABLE);
  });

  it('sets the per-address limit with LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE, 1000 a minute by default, counted per replica', () => {
    expect(addressRequestLimit({})).toEqual({ name: 'requests_per_address_per_minute', max: 1000, windowSeconds: 60, unit: 'requests', perReplica: true });
    expect(addressRequestLimit({ LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE: '5' }).max).toBe(5);
    expect(() => addressRequestLimit({ LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE: '0' })).toThrow('LIMIT_REQUESTS_PER_ADDRESS_PER_MINUTE');
  });
});
