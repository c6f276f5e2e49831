/**
 * `npm run stat -- [--target host:port ...] [--consul host:port] [--interval 2s] [--once] [--window 5s]`:
 * per service and RPC the success rate, requests per second and latency p50/p95/p99, with the
 * breakers, outboxes and dead letters, from the metrics endpoints of a running mesh; refreshed in
 * place until Ctrl-C, or printed once (`--once`) for scripts. See stat.ts.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConsulTokens } from '../platform/discovery/consul-tokens';
import { DEFAULT_TARGET, parseDuration, runStat } from './stat';

/** parseDuration, its error as commander reports a bad option value. */
function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

interface CliOptions {
  target?: string[];
  consul?: string;
  interval: number;
  window: number;
  once?: boolean;
}

/** The default target: 127.0.0.1 at METRICS_PORT when it names a port (what `npm start` serves), else 9464. */
function defaultTarget(): string {
  const port = Number(process.env.METRICS_PORT);
  return Number.isInteger(port) && port > 0 && port < 65_536 ? `127.0.0.1:${port}` : DEFAULT_TARGET;
}

const program = new Command('stat')
  .description(
    'live view of a running mesh from its metrics endpoints: per service and RPC the success rate, requests per second and ' +
      'latency p50/p95/p99 (from two scrapes, a window apart), breaker states, outbox lag and dead letters',
  )
  .addOption(
    new Option(
      '-t, --target <host:port...>',
      `metrics endpoint(s): host:port or http(s) URL, repeatable or comma-separated (default: ${DEFAULT_TARGET}, or METRICS_PORT's)`,
    ),
  )
  .addOption(
    new Option(
      '--consul <host:port>',
      'a Consul agent: scrape every instance it lists, at its address and the metrics_port of its registration (token: CONSUL_RESOLVER_TOKEN or CONSUL_HTTP_TOKEN)',
    ),
  )
  .addOption(
    new Option('-i, --interval <duration>', 'refresh period of the live view, and its window (500ms, 2s, 1m)').default(2_000, '2s').argParser(duration),
  )
  .addOption(new Option('-w, --window <duration>', 'with --once: time between the two scrapes the rates come from').default(5_000, '5s').argParser(duration))
  .option('--once', 'print one set of plain tables (no escape sequences) and exit')
  .action(async (options: CliOptions) => {
    const controller = new AbortController();
    if (!options.once) {
      process.once('SIGINT', () => {
        controller.abort();
      });
      process.once('SIGTERM', () => {
        controller.abort();
      });
    }
    const code = await runStat(
      {
        targets: options.target ?? [],
        consul: options.consul,
        consulToken: ConsulTokens.fromEnv(process.env).resolver().secret,
        defaultTarget: defaultTarget(),
        once: options.once === true,
        intervalMs: options.interval,
        windowMs: options.window,
      },
      { out: process.stdout, signal: controller.signal },
    );
    // Pending scrapes or Consul connections must not hold the exit back.
    process.exit(code);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
