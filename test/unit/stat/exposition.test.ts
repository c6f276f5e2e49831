import { LATENCY_BUCKETS_S, MeshMetrics } from '../../../src/platform/telemetry/metrics';
import { ExpositionError, parseExposition, parseValue } from '../../../src/stat/exposition';

describe('parseExposition', () => {
  it("reads prom-client's exposition: each labelled histogram series on its own, with its labels", async () => {
    const metrics = new MeshMetrics();
    const labels = { service: 'auth', rpc_system: 'grpc', rpc_service: 'auth.v1.AuthService', rpc_method: 'Login' };
    metrics.rpcServerDuration.observe({ ...labels, rpc_grpc_status_code: '0' }, 0.02);
    metrics.rpcServerDuration.observe({ ...labels, rpc_grpc_status_code: '16' }, 0.002);
    metrics.breakerState.set({ service: 'interview', downstream: 'emotion' }, 2);
    const parsed = parseExposition(await metrics.exposition());

    expect(parsed.types.get('rpc_server_call_duration_seconds')).toBe('histogram');
    expect(parsed.types.get('mesh_breaker_state')).toBe('gauge');
    expect(parsed.samples.get('rpc_server_call_duration_seconds_count')).toEqual([
      { name: 'rpc_server_call_duration_seconds_count', labels: { ...labels, rpc_grpc_status_code: '0' }, value: 1 },
      { name: 'rpc_server_call_duration_seconds_count', labels: { ...labels, rpc_grpc_status_code: '16' }, value: 1 },
    ]);
    const buckets = parsed.samples.get('rpc_server_call_duration_seconds_bucket') ?? [];
    expect(buckets).toHaveLength(2 * (LATENCY_BUCKETS_S.length + 1));
    // The 2 ms call: in every bucket from 2.5 ms up.
    expect(buckets.filter((b) => b.labels.rpc_grpc_status_code === '16').map((b) => [b.labels.le, b.value])).toEqual([
      ...LATENCY_BUCKETS_S.map((le) => [String(le), le >= 0.002 ? 1 : 0]),
      ['+Inf', 1],
    ]);
    expect(parsed.samples.get('mesh_breaker_state')).toEqual([
      { name: 'mesh_breaker_state', labels: { service: 'interview', downstream: 'emotion' }, value: 2 },
    ]);
  });

  it('reads escapes in label values, special values, timestamps, blank lines, CRLF and unlabelled samples', () => {
    const text = [
      '# HELP x_total A counter',
      '# TYPE x_total counter',
      'x_total{path="C:\\\\dir",quote="say \\"hi\\"",nl="a\\nb",} 3 1700000000000',
      '',
      'y NaN\r',
      'z{ a = "1" , b="2" } +Inf',
      'w -Inf',
      'v 1.5e3',
      'u{} 0',
      '# EOF',
    ].join('\n');
    const parsed = parseExposition(text);
    expect(parsed.samples.get('x_total')).toEqual([{ name: 'x_total', labels: { path: 'C:\\dir', quote: 'say "hi"', nl: 'a\nb' }, value: 3 }]);
    expect(parsed.samples.get('y')?.[0].value).toBeNaN();
    expect(parsed.samples.get('z')).toEqual([{ name: 'z', labels: { a: '1', b: '2' }, value: Infinity }]);
    expect(parsed.samples.get('w')?.[0].value).toBe(-Infinity);
    expect(parsed.samples.get('v')?.[0].value).toBe(1500);
    expect(parsed.samples.get('u')).toEqual([{ name: 'u', labels: {}, value: 0 }]);
    expect(parsed.types.get('x_total')).toBe('counter');
  });

  it('says which line it cannot read', () => {
    expect(() => parseExposition('ok 1\nbad{a="1" 2')).toThrow(new ExpositionError(2, 'expected "," or "}" after the label a'));
    expect(() => parseExposition('a{b="unclosed} 1')).toThrow('line 1: the value of the label b is not closed');
    expect(() => parseExposition('a{b="\\t"} 1')).toThrow('line 1: unknown escape "\\t" in the label b');
    expect(() => parseExposition('a')).toThrow('line 1: a has no value');
    expect(() => parseExposition('a one')).toThrow('line 1: "one" is not a number');
    expect(() => parseExposition('a 1 2 3')).toThrow('line 1: expected a value and an optional timestamp after a, got "1 2 3"');
    expect(() => parseExposition('{a="1"} 1')).toThrow('line 1: expected a metric name');
    expect(() => parseExposition('<html>')).toThrow(ExpositionError);
  });

  it('reads values as Go does: floats, NaN, ±Inf', () => {
    expect(parseValue('0.25')).toBe(0.25);
    expect(parseValue('-3')).toBe(-3);
    expect(parseValue('+Inf')).toBe(Infinity);
    expect(parseValue('Inf')).toBe(Infinity);
    expect(parseValue('-Inf')).toBe(-Infinity);
    expect(parseValue('NaN')).toBeNaN();
    expect(() => parseValue('')).toThrow(ExpositionError);
  });
});
