/**
 * The mesh as a Consul-discovered cluster, against a real Consul agent (built from its Go module by
 * scripts/infra/ensure-consul.sh and started in dev mode): three emotion instances register
 * themselves with a gRPC health check; the interview service finds them through `consul:///emotion`
 * and spreads its interviews over them round-robin, each interview's frames on one AnalyzeStream,
 * so on one instance. One is killed (SIGKILL: no chance to deregister) and its interviews move to
 * the other two; it comes back and new interviews reach it again.
 *
 * What each instance served is read from its own logs (one `stream frame answered` line per frame,
 * with its interview, at LOG_LEVEL=debug), and the test prints the split.
 *
 * Consul's ACLs are on, default deny: each process registers with its own service's token
 * (`<SERVICE>_CONSUL_TOKEN`) and resolves with the read-only CONSUL_RESOLVER_TOKEN; a token may
 * not register another service's name, and no token may do nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmotionServiceClient, FrameRequest } from '../../src/gen/emotion';
import { Difficulty } from '../../src/gen/interview';
import { parseConsulAddress, registerConsulResolver } from '../../src/platform/discovery';
import { meshChannelOptions } from '../../src/platform/grpc/client-options';
import { callUnary } from '../../src/platform/grpc/unary-call';
import { limitVariable } from '../../src/platform/limits/limit-settings';
import { silentLogger } from '../../src/platform/log/logger';
import { TransportSecurity } from '../../src/platform/tls/transport-security';
import { loadConfig } from '../../src/platform/config/mesh-config';
import { registerServiceInstance } from '../../src/platform/discovery/service-registration';
import { checkHealth, freePort } from '../support/grpc-clients';
import { ConsulAgent, startConsulAgent } from '../support/consul-agent';
import { signUp } from '../support/identity';
import { createTestDatabase, createTestVhost, Disposable, serviceBrokerEnv } from '../support/infrastructure';
import { interviewClient, statusOf } from '../support/interview-client';
import { removeAuthKeys } from '../support/mesh-process';
import { ServiceProcess } from '../support/service-process';
import { TEST_MESH_ENV } from '../support/mesh-env';
import { waitFor } from '../support/wait';

jest.setTimeout(180_000);

const astronaut = fs.readFileSync(path.resolve(__dirname, '../fixtures/faces/astronaut.png'));
/** Consul's gRPC check interval in this test, milliseconds (CONSUL_CHECK_INTERVAL_MS). */
const CHECK_INTERVAL_MS = 1_000;
/** Interviews a phase runs at once, and the frames each sends in it (one after the other, round by round). */
const INTERVIEWS = 6;
const ROUNDS = 5;
const FRAMES_PER_ROUND = INTERVIEWS * ROUNDS;

/** The interview of each frame an emotion instance has answered on AnalyzeStream, from its JSON log lines. */
function streamFrames(instance: ServiceProcess): string[] {
  return instance
    .logs()
    .split('\n')
    .filter((line) => line.includes('"/emotion.EmotionService/AnalyzeStream"') && line.includes('"msg":"stream frame answered"'))
    .map((line) => (JSON.parse(line) as { sessionId: string }).sessionId);
}

/** The address lists the interview service's resolver pushed, from its log lines. */
function resolverUpdates(interview: ServiceProcess): { time: number; instances: string[] }[] {
  return interview
    .logs()
    .split('\n')
    .filter((line) => line.includes('passing instance(s) of emotion'))
    .map((line) => JSON.parse(line) as { time: number; instances: string[] })
    .map(({ time, instances }) => ({ time, instances: [...instances].sort() }));
}

describe('a Consul-discovered cluster: three emotion instances behind the interview service', () => {
  let consul: ConsulAgent | undefined;
  let database: Disposable<string> | undefined;
  let vhost: Disposable<string> | undefined;
  let env: Record<string, string>;
  const emotionPorts: number[] = [];
  const emotion: ServiceProcess[] = [];
  let interview: ServiceProcess;
  let interviewAddress: string;
  let authAddress: string;
  let client: ReturnType<typeof interviewClient> | undefined;
  let candidateId: string;
  let frameClock = 1_700_000_000_000;
  const splits: { phase: string; counts: number[]; queued: number }[] = [];

  const emotionAddress = (i: number) => `127.0.0.1:${emotionPorts[i]}`;
  const startEmotion = (i: number) => ServiceProcess.start('emotion', { ...env, EMOTION_PORT: String(emotionPorts[i]), LOG_LEVEL: 'debug' });
  /** `count` new interviews of the candidate's: each opens its own stream, to the next instance, at its first frame. */
  const startInterviews = async (count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const started = await client!.startInterview({ candidateId, categories: [], difficulty: Difficulty.DIFFICULTY_UNSPECIFIED, questionCount: 2 });
      ids.push(started.id);
    }
    return ids;
  };
  /**
   * `rounds` rounds of one frame per interview, one frame after the other; returns how many frames
   * each instance served, which interviews each served, and how many frames were queued.
   */
  const sendFrames = async (interviews: readonly string[], rounds = 1) => {
    const before = emotion.map((instance) => streamFrames(instance).length);
    let queued = 0;
    for (let round = 0; round < rounds; round++) {
      for (const interviewId of interviews) {
        frameClock += 100;
        const outcome = await client!.sendFrame({ interviewId, imageData: astronaut, format: 'png', timestampMs: frameClock });
        if (outcome.queued) queued++;
        else expect(outcome.analysis?.faceMetrics?.detected).toBe(true);
      }
    }
    const served = emotion.map((instance, i) => streamFrames(instance).slice(before[i]));
    return { counts: served.map((frames) => frames.length), interviews: served.map((frames) => new Set(frames)), queued };
  };
  const record = <T extends { counts: number[]; queued: number }>(phase: string, split: T) => {
    splits.push({ phase, ...split });
    return split;
  };

  beforeAll(async () => {
    consul = await startConsulAgent();
    [database, vhost] = await Promise.all([createTestDatabase(), createTestVhost()]);
    for (let i = 0; i < 3; i++) emotionPorts.push(await freePort());
    const interviewPort = await freePort();
    interviewAddress = `127.0.0.1:${interviewPort}`;
    const authPort = await freePort();
    authAddress = `127.0.0.1:${authPort}`;
    env = {
      DATABASE_URL: database.value,
      AMQP_URL: vhost.value,
      // Each service as its own broker user (createTestVhost).
      ...serviceBrokerEnv(vhost.value),
      BIND_HOST: '127.0.0.1',
      ADVERTISE_HOST: '127.0.0.1',
      CONSUL_HTTP_ADDR: consul.httpAddr,
      // ACLs: each service's own token (EMOTION_CONSUL_TOKEN, …) and the resolver's read-only one.
      ...consul.tokenEnv,
      CONSUL_CHECK_INTERVAL_MS: String(CHECK_INTERVAL_MS),
      INTERVIEW_PORT: String(interviewPort),
      // The auth service runs in the interview service's process, which verifies tokens with its keys.
      AUTH_PORT: String(authPort),
      AUTH_SCRYPT_COST: '10',
      AUTH_KEYS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-auth-keys-')),
      // Rounds of 30 frames as fast as the cluster takes them, to see how they spread: past the
      // default 10 a second of one interview, which the limits' own tests cover.
      [limitVariable('frames_per_interview_per_second')]: '1000',
      // Interviews are what the instances share out (a stream each): the test starts some thirty.
      [limitVariable('interviews_per_user_per_hour')]: '1000',
      // TLS on every hop with the tests' certificates; Consul's checks use them too (startConsulAgent).
      ...TEST_MESH_ENV,
    };
    for (let i = 0; i < 3; i++) emotion.push(startEmotion(i));
    // No EMOTION_ADDR: with CONSUL_HTTP_ADDR set, the interview service resolves consul:///emotion.
    interview = ServiceProcess.start(['auth', 'interview'], env);
    try {
      await Promise.all([
        ...emotion.map((e, i) => e.waitServing(emotionAddress(i), 120_000)),
        interview.waitServing(interviewAddress, 120_000),
        interview.waitServing(authAddress, 120_000),
      ]);
      await waitFor('three passing emotion instances in Consul', async () => (await consul!.passing('emotion')).length === 3, 20_000, 100);
    } catch (error) {
      for (const p of [...emotion, interview]) console.error(`--- ${p.name} logs ---\n${p.logs().slice(-4000)}`);
      console.error(`--- consul ---\n${consul.logs().slice(-4000)}`);
      throw error;
    }
    const candidate = await signUp(authAddress, 'candidate');
    candidateId = candidate.userId;
    client = interviewClient(interviewAddress, candidate.accessToken);
    // Channels resolve and connect lazily, at their first call: warm up, an interview at a time,
    // until every instance has answered a frame (a stream opened before the channel reached an
    // instance went to another).
    await waitFor(
      'every instance to answer a frame',
      async () => {
        await sendFrames(await startInterviews(1));
        return emotion.every((e) => streamFrames(e).length > 0);
      },
      30_000,
      0,
    );
    expect(resolverUpdates(interview).at(-1)?.instances).toEqual(emotionPorts.map((_, i) => emotionAddress(i)).sort());
  }, 900_000);

  afterAll(async () => {
    client?.close();
    await Promise.all([...emotion, interview].filter(Boolean).map((p) => p.stop('SIGKILL')));
    await consul?.stop();
    await Promise.all([database?.dispose(), vhost?.dispose(), removeAuthKeys(env)]);
    if (splits.length) {
      const rows = splits.map(({ phase, counts, queued }) => `  ${phase.padEnd(34)} ${counts.map((c) => String(c).padStart(4)).join(' ')}   ${queued}`);
      console.log(
        [
          `frames per emotion instance (${INTERVIEWS} interviews, each on one AnalyzeStream)`,
          `  ${'phase'.padEnd(34)} ${['#1', '#2', '#3'].map((h) => h.padStart(4)).join(' ')}   queued`,
          ...rows,
        ].join('\n'),
      );
    }
  });

  it('registers each instance in Consul with its address, tags and a gRPC health check', async () => {
    expect(await consul!.passing('emotion')).toEqual(emotionPorts.map((_, i) => emotionAddress(i)).sort());
    expect(await consul!.passing('interview')).toEqual([interviewAddress]);
    const services: Record<string, { Service: string; Tags: string[]; Port: number }> = await consul!.client.agent.service.list();
    expect(services[`emotion-127.0.0.1-${emotionPorts[0]}`]).toMatchObject({ Service: 'emotion', Tags: ['ml', 'grpc'], Port: emotionPorts[0] });
    const checks: Record<string, { Type: string; Status: string; Output: string; Interval: string; ServiceID: string }> =
      await consul!.client.agent.check.list();
    const check = Object.values(checks).find((c) => c.Output.includes(`${emotionAddress(0)}/emotion.EmotionService`));
    expect(check).toMatchObject({ Type: 'grpc', Status: 'passing', Interval: '1s' });
    // That check is TLS (the instance registers it with GRPCUseTLS and TLSServerName = emotion; the
    // agent presents its own certificate, which emotion requires): the same check of the same port
    // fails in plaintext, and over TLS expecting another service's name.
    const outcomeOf = async (id: string, tls: Record<string, unknown>) => {
      await consul!.client.agent.service.register({
        name: id,
        id,
        address: '127.0.0.1',
        port: emotionPorts[0],
        check: { name: id, grpc: `${emotionAddress(0)}/emotion.EmotionService`, interval: '500ms', timeout: '1s', ...tls },
      });
      try {
        const ran = async () => Object.values((await consul!.client.agent.check.list()) as typeof checks).find((c) => c.ServiceID === id && c.Output);
        await waitFor(`the check of ${id} to run`, async () => (await ran()) !== undefined, 10_000, 100);
        return (await ran())!.Status;
      } finally {
        await consul!.client.agent.service.deregister(id);
      }
    };
    expect(await outcomeOf('emotion-plaintext-check', {})).toBe('critical');
    expect(await outcomeOf('emotion-misnamed-check', { grpcusetls: true, tlsservername: 'scoring' })).toBe('critical');
    expect(await outcomeOf('emotion-tls-check', { grpcusetls: true, tlsservername: 'emotion' })).toBe('passing');
  });

  it("refuses a registration under another service's name, and everything to a caller without a token", async () => {
    const asEmotion = consul!.clientWith(consul!.tokens.services.emotion);
    const asResolver = consul!.clientWith(consul!.tokens.resolver);
    const anonymous = consul!.clientWith(undefined);
    const impostor = { name: 'scoring', id: 'scoring-impostor', address: '127.0.0.1', port: emotionPorts[1] };
    try {
      // emotion's token may register emotion only; the resolver's may register nothing.
      await expect(asEmotion.agent.service.register(impostor)).rejects.toMatchObject({ statusCode: 403 });
      await expect(asResolver.agent.service.register(impostor)).rejects.toMatchObject({ statusCode: 403 });
      const services: Record<string, { Service: string }> = await consul!.client.agent.service.list();
      expect(Object.values(services).filter((s) => s.Service === 'scoring')).toEqual([]);
      expect(await consul!.client.health.service({ service: 'scoring' })).toEqual([]);
      // No token: no registration, and nothing listed (the ACLs filter every entry out).
      await expect(anonymous.agent.service.register({ ...impostor, name: 'emotion', id: 'emotion-anonymous' })).rejects.toMatchObject({ statusCode: 403 });
      expect(await anonymous.health.service({ service: 'emotion' })).toEqual([]);
      expect(await anonymous.catalog.service.list()).toEqual({});
      expect(await anonymous.agent.service.list()).toEqual({});
      // The resolver's token reads them all.
      expect(await asResolver.health.service({ service: 'emotion', passing: true })).toHaveLength(3);
    } finally {
      for (const c of [asEmotion, asResolver, anonymous]) c.destroy();
    }
    // An instance started with another service's token fails its start-up, saying so without the token.
    const wrongToken = consul!.tokens.services.scoring;
    const config = loadConfig({ ...env, EMOTION_CONSUL_TOKEN: wrongToken });
    const failure = await registerServiceInstance(
      config,
      { name: 'emotion', port: emotionPorts[0], tags: [], healthService: '', grpcServices: [] },
      silentLogger(),
    ).then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    );
    expect(failure).toMatch(/refused to register the service "emotion" \(403 Permission denied\): the ACL token in EMOTION_CONSUL_TOKEN may not register it/);
    expect(failure).not.toContain(wrongToken);
    expect(JSON.stringify(config)).not.toContain(wrongToken);
    expect(await consul!.passing('emotion')).toEqual(emotionPorts.map((_, i) => emotionAddress(i)).sort());
  });

  /** Each interview's frames all on one instance: its stream's. */
  const expectEachInterviewOnOneInstance = (split: { interviews: Set<string>[] }, interviews: readonly string[]) => {
    for (const id of interviews) expect(split.interviews.filter((served) => served.has(id))).toHaveLength(1);
  };

  it("spreads the interview service's interviews over all three instances, each interview's frames on one", async () => {
    const interviews = await startInterviews(INTERVIEWS);
    const split = record('three instances', await sendFrames(interviews, ROUNDS));
    expect(split.queued).toBe(0);
    expect(split.counts.reduce((a, b) => a + b)).toBe(FRAMES_PER_ROUND);
    expectEachInterviewOnOneInstance(split, interviews);
    // round_robin over the streams: every instance gets a third of the interviews.
    expect(split.interviews.map((served) => served.size)).toEqual([2, 2, 2]);
  });

  it('moves the traffic to the others when one is killed, within the health-check interval, the breaker staying closed', async () => {
    // Interviews under way on all three, their streams open.
    const interviews = await startInterviews(INTERVIEWS);
    const before = record('three instances, before the kill', await sendFrames(interviews));
    const onKilled = before.interviews[0].size;
    expect(before.interviews.map((served) => served.size)).toEqual([2, 2, 2]);

    const killedAt = Date.now();
    expect(await emotion[0].stop('SIGKILL')).toBeNull();

    // Calls go on at once: the channel sees the connection drop; Consul's check then marks it critical.
    const dropped = waitFor('Consul to stop listing the killed instance', async () => (await consul!.passing('emotion')).length === 2, 10_000, 50).then(
      () => Date.now() - killedAt,
    );
    const during = record('right after SIGKILL of #1', await sendFrames(interviews));
    const droppedAfterMs = await dropped;
    await waitFor(
      'the resolver to push the two survivors',
      () => resolverUpdates(interview).some((u) => u.time >= killedAt && u.instances.length === 2),
      5_000,
      50,
    );
    const pushedAfterMs = resolverUpdates(interview).find((u) => u.time >= killedAt && u.instances.length === 2)!.time - killedAt;
    console.log(
      `killed instance: Consul dropped it after ${droppedAfterMs} ms, the interview service's resolver pushed 2 instances after ${pushedAfterMs} ms (check interval ${CHECK_INTERVAL_MS} ms)`,
    );
    // The check runs every interval (its timeout is also the interval here): critical after at most two.
    expect(pushedAfterMs).toBeLessThanOrEqual(2 * CHECK_INTERVAL_MS + 1_000);

    const after = record('#1 killed, dropped by Consul', await sendFrames(interviews, ROUNDS));
    expect(after.queued).toBe(0);
    expect(after.counts[0]).toBe(0);
    expect(after.counts[1] + after.counts[2]).toBe(FRAMES_PER_ROUND);
    // The killed instance's interviews moved: every interview on one survivor, each survivor with some.
    expectEachInterviewOnOneInstance(after, interviews);
    expect(after.interviews[1].size + after.interviews[2].size).toBe(INTERVIEWS);
    expect(Math.min(after.interviews[1].size, after.interviews[2].size)).toBeGreaterThanOrEqual(1);
    // At most the frame of each interview whose stream met the dying connection fell back to the queue; the breaker never opened.
    expect(during.queued).toBeLessThanOrEqual(onKilled);
    expect(interview.logs()).not.toContain('"msg":"circuit open"');
    expect(await checkHealth(interviewAddress, 'interview.dependency.emotion')).toBe('SERVING');
  });

  it('sends traffic to the instance again once it is back', async () => {
    const restartedAt = Date.now();
    emotion[0] = startEmotion(0);
    await emotion[0].waitServing(emotionAddress(0), 120_000);
    await waitFor('Consul to list it passing again', async () => (await consul!.passing('emotion')).length === 3, 20_000, 100);
    await waitFor(
      'the resolver to push three instances',
      () => resolverUpdates(interview).some((u) => u.time >= restartedAt && u.instances.length === 3),
      10_000,
      100,
    );
    // The channel dials it again (its reconnect backoff is at most 2 s): new interviews until one reaches it.
    await waitFor('the restarted instance to answer', async () => (await sendFrames(await startInterviews(1))).counts[0] > 0, 20_000, 0);

    const interviews = await startInterviews(INTERVIEWS);
    const back = record('#1 restarted', await sendFrames(interviews, ROUNDS));
    expect(back.queued).toBe(0);
    expectEachInterviewOnOneInstance(back, interviews);
    expect(back.interviews.map((served) => served.size)).toEqual([2, 2, 2]);
  });

  it('tells a caller why there is no instance: none passing in Consul, or no agent answering', async () => {
    registerConsulResolver({ defaultAgent: parseConsulAddress(consul!.httpAddr), token: consul!.tokens.resolver, log: silentLogger() });
    // The interview service's own channel: its certificate, the emotion service's name and SPIFFE ID checked on whichever instance answers.
    const transport = new TransportSecurity(loadConfig(env).transport, silentLogger());
    const channel = transport.channel({ kind: 'service', name: 'interview' }, 'emotion');
    const analyzeFrameAt = async (target: string) => {
      const client = new EmotionServiceClient(target, channel.credentials, { ...meshChannelOptions(), ...channel.options });
      try {
        return await statusOf(
          callUnary(client.analyzeFrame.bind(client), FrameRequest.fromPartial({ sessionId: 's', imageData: astronaut }), {
            deadline: new Date(Date.now() + 5_000),
          }),
        );
      } finally {
        client.close();
      }
    };
    expect(await analyzeFrameAt('consul:///emotion')).toBe('OK');
    expect(await analyzeFrameAt('consul:///nobody')).toBe('UNAVAILABLE: Consul lists no passing instance of "nobody"');
    const silentAgent = `127.0.0.1:${await freePort()}`;
    // The reason after the colon is `connect ECONNREFUSED …` in a plain Node.js process; inside jest's
    // sandbox the `consul` package's HTTP client (papi) fails to recognise Node's error as an Error
    // (another realm's class) and the reason reads differently, so only the resolver's part is checked.
    expect(await analyzeFrameAt(`consul://${silentAgent}/emotion`)).toMatch(
      new RegExp(`^UNAVAILABLE: Consul at http://${silentAgent} could not list "emotion": `),
    );
    transport.close();
  });

  it('deregisters on SIGTERM before draining: Consul forgets the instance at once, and the process exits', async () => {
    expect(await emotion[2].stop('SIGTERM')).toBe(0);
    expect(emotion[2].logs()).toContain('"msg":"deregistered from Consul"');
    const listed: unknown[] = await consul!.client.health.service({ service: 'emotion' });
    expect(listed).toHaveLength(2);
    // The interview service too, its resolver's blocking query to Consul cancelled rather than waited out.
    const stopping = Date.now();
    expect(await interview.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(await consul!.passing('interview')).toEqual([]);
  });
});
