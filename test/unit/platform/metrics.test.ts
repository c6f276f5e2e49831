import { MeshMetrics, SCRAPE_HOOK_TIMEOUT_MS } from '../../../src/platform/telemetry/metrics';

describe('MeshMetrics scrape hooks', () => {
  it('answers a scrape whose hook hangs or fails, the hooked gauge left as it was, the others current', async () => {
    const metrics = new MeshMetrics();
    metrics.outboxWaiting.set({ service: 'stalled' }, 7);
    // A stalled database: the hook never resolves.
    metrics.onScrape(() => new Promise<void>(() => undefined));
    metrics.onScrape(() => Promise.reject(new Error('the database refused')));
    metrics.onScrape(() => {
      metrics.outboxWaiting.set({ service: 'healthy' }, 0);
    });
    const started = Date.now();
    const text = await metrics.exposition();
    expect(Date.now() - started).toBeLessThan(SCRAPE_HOOK_TIMEOUT_MS + 1_000);
    expect(text).toContain('mesh_outbox_waiting_messages{service="stalled"} 7');
    expect(text).toContain('mesh_outbox_waiting_messages{service="healthy"} 0');
  });

  it('stops running a hook once removed', async () => {
    const metrics = new MeshMetrics();
    let runs = 0;
    const remove = metrics.onScrape(() => {
      runs += 1;
    });
    await metrics.exposition();
    remove();
    await metrics.exposition();
    expect(runs).toBe(1);
  });
});
