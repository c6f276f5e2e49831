/**
 * The mesh's command line: `start` runs services (all of them in one process by default, the
 * embedded default when no DATABASE_URL / AMQP_URL is set), `migrate` applies the migrations and exits.
 */
import { Command, Option } from 'commander';
import { loadConfig } from './platform/config/mesh-config';
import { onShutdownSignal } from './platform/lifecycle/shutdown';
import { createLogger } from './platform/log/logger';
import { migrate, openConfiguredDatabase } from './mesh/infrastructure';
import { SERVICE_NAMES, SERVICES } from './mesh/registry';
import { startMesh } from './mesh/start-mesh';

function parseServices(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !SERVICE_NAMES.includes(n));
  if (unknown.length || names.length === 0) {
    throw new Error(`--services takes a comma-separated list of ${SERVICE_NAMES.join(', ')}; got "${value}"`);
  }
  return names;
}

const servicesOption = new Option('-s, --services <list>', `comma-separated: ${SERVICE_NAMES.join(',')}`)
  .default([...SERVICE_NAMES], 'all')
  .argParser(parseServices);

const program = new Command('interview-mesh').description('gRPC service mesh for AI-assisted job interviews');

program
  .command('start', { isDefault: true })
  .description('start services in this process')
  .addOption(servicesOption)
  .action(async (options: { services: string[] }) => {
    const config = loadConfig();
    const log = createLogger({ level: config.logLevel });
    const mesh = await startMesh(config, options.services, log);
    onShutdownSignal(() => mesh.stop(), log);
  });

program
  .command('migrate')
  .description('apply the database migrations of the given services and exit')
  .addOption(servicesOption)
  .action(async (options: { services: string[] }) => {
    const config = loadConfig();
    const log = createLogger({ level: config.logLevel });
    const db = await openConfiguredDatabase(config, log);
    try {
      await migrate(
        db,
        SERVICES.filter((s) => options.services.includes(s.name)),
        log,
      );
    } finally {
      await db.close();
    }
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
