import { formatCount, formatMs, formatPercent, formatRate, formatTable, renderView } from '../../../src/stat/render';
import { StatView } from '../../../src/stat/stats';
import { parseTarget } from '../../../src/stat/targets';

describe('formatTable', () => {
  it('pads each column to its widest cell, text left and numbers right, two spaces apart, no trailing space', () => {
    const lines = formatTable(
      [
        { header: 'NAME', align: 'left' },
        { header: 'N', align: 'right' },
        { header: 'NOTE', align: 'left' },
      ],
      [
        ['a', '1', 'x'],
        ['longer name', '1234', ''],
      ],
    );
    expect(lines).toEqual(['NAME            N  NOTE', 'a               1  x', 'longer name  1234']);
  });

  it('refuses a row of another width', () => {
    expect(() => formatTable([{ header: 'A', align: 'left' }], [['1', '2']])).toThrow('a row has 2 cells for 1 columns');
  });
});

describe('cell formats', () => {
  it('writes shares, rates, milliseconds and counts, and - for what is not known', () => {
    expect([formatPercent(1), formatPercent(0.75), formatPercent(2 / 3), formatPercent(undefined)]).toEqual(['100.00%', '75.00%', '66.67%', '-']);
    expect([formatRate(0), formatRate(1.416), formatRate(undefined)]).toEqual(['0.00', '1.42', '-']);
    expect([formatMs(0.00065), formatMs(0.00375), formatMs(0.0425), formatMs(0.244), formatMs(1.25), formatMs(undefined)]).toEqual([
      '0.650',
      '3.75',
      '42.5',
      '244',
      '1250',
      '-',
    ]);
    expect([formatCount(3), formatCount(2.5), formatCount(undefined)]).toEqual(['3', '2.50', '-']);
  });
});

describe('renderView', () => {
  const A = parseTarget('127.0.0.1:9464');
  const B = { ...parseTarget('10.0.0.2:9464'), services: ['emotion', 'scoring'] };

  it('prints the targets, the unreachable ones, and the four tables', () => {
    const view: StatView = {
      windowSeconds: 5.02,
      answered: [A],
      failed: [{ target: parseTarget('10.0.0.9:9464'), error: 'connect ECONNREFUSED 10.0.0.9:9464' }],
      rpcs: [
        {
          service: 'auth',
          method: 'auth.v1.AuthService/Login',
          total: 12,
          window: { requests: 4, rps: 0.8, success: 0.75, p50: 0.00375, p95: 0.22, p99: 0.244 },
        },
        { service: 'auth', method: 'auth.v1.AuthService/Register', total: 2, window: { requests: 0, rps: 0 } },
      ],
      breakers: [{ service: 'interview', downstream: 'emotion', state: 'open', instance: A.label }],
      outboxes: [{ service: 'interview', waiting: 3, oldestAgeSeconds: 12.5, instance: A.label }],
      deadLetters: [],
    };
    expect(renderView(view, { notes: ['no metrics_port in Consul for: auth auth-1'] })).toBe(
      [
        'targets: 127.0.0.1:9464 · window 5.0 s',
        'unreachable: 10.0.0.9:9464: connect ECONNREFUSED 10.0.0.9:9464',
        'no metrics_port in Consul for: auth auth-1',
        '',
        'RPCs served',
        'SERVICE  METHOD                        SUCCESS   RPS  REQUESTS  TOTAL  P50_MS  P95_MS  P99_MS',
        'auth     auth.v1.AuthService/Login      75.00%  0.80         4     12    3.75     220     244',
        'auth     auth.v1.AuthService/Register        -  0.00         0      2       -       -       -',
        '',
        'Breakers',
        'SERVICE    DOWNSTREAM  STATE',
        'interview  emotion     open',
        '',
        'Outboxes',
        'SERVICE    WAITING  OLDEST_AGE_S',
        'interview        3          12.5',
        '',
        'Dead letters',
        'none',
        '',
      ].join('\n'),
    );
  });

  it('names the instance of breakers and outboxes when more than one target answered, and says what is not known yet', () => {
    const view: StatView = {
      windowSeconds: undefined,
      answered: [A, B],
      failed: [],
      rpcs: [{ service: 'scoring', method: 'scoring.ScoringService/AnalyzeAnswer', total: 7 }],
      breakers: [
        { service: 'interview', downstream: 'scoring', state: 'closed', instance: A.label },
        { service: 'interview', downstream: 'scoring', state: 'half-open', instance: B.label },
      ],
      outboxes: [],
      deadLetters: [{ service: 'scoring', queue: 'scoring.interview-completed', total: 2 }],
    };
    expect(renderView(view, { heading: ['heading'] }).split('\n')).toEqual([
      'heading',
      'targets: 127.0.0.1:9464, 10.0.0.2:9464 (emotion, scoring) · first scrape, no window yet',
      '',
      'RPCs served',
      'SERVICE  METHOD                                SUCCESS  RPS  REQUESTS  TOTAL  P50_MS  P95_MS  P99_MS',
      'scoring  scoring.ScoringService/AnalyzeAnswer        -    -         -      7       -       -       -',
      '',
      'Breakers',
      'SERVICE    DOWNSTREAM  STATE      INSTANCE',
      'interview  scoring     closed     127.0.0.1:9464',
      'interview  scoring     half-open  10.0.0.2:9464',
      '',
      'Outboxes',
      'none',
      '',
      'Dead letters',
      'SERVICE  QUEUE                        TOTAL  IN_WINDOW',
      'scoring  scoring.interview-completed      2          -',
      '',
    ]);
  });
});
