/**
 * The mesh's command line: `start` runs services (all of them in one process by default, the
 * embedded default when no DATABASE_URL / AMQP_URL is set), `migrate` applies the migrations and
 * exits, `provision-db` makes each service a database role owning only its schema and exits.
 */
import { Command, Option } from 'commander';
import { ConfigError, optionalString, optionalUrl, stringOr } from './platform/config/env';
import { loadConfig, serviceVariable } from './platform/config/mesh-config';
import { defaultServiceRole, provisionServiceRoles } from './platform/db/provision';
import { onShutdownSignal } from './platform/lifecycle/shutdown';
import { createLogger } from './platform/log/logger';
import { migrate, openConfiguredDatabase } from './mesh/infrastructure';
import { SERVICE_NAMES, SERVICES } from './mesh/registry';
import { startMesh } from './mesh/start-mesh';
import { keepsTables } from './platform/service/descriptor';
import { startTracing } from './platform/telemetry/tracing';

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
    // One service: its name; several in one process (the embedded default): the mesh's.
    const tracing = startTracing(options.services.length === 1 ? options.services[0] : 'interview-mesh', process.env, log);
    const mesh = await startMesh(config, options.services, log);
    onShutdownSignal(async () => {
      await mesh.stop();
      await tracing.shutdown();
    }, log);
  });

program
  .command('migrate')
  .description('apply the database migrations of the given services and exit')
  .addOption(servicesOption)
  .action(async (options: { services: string[] }) => {
    const config = loadConfig();
    const log = createLogger({ level: config.logLevel });
    const services = SERVICES.filter((s) => options.services.includes(s.name));
    const db = await openConfiguredDatabase(config, services, log, process.env);
    try {
      await migrate(db, services, log);
    } finally {
      await db.close();
    }
  });

/** The services that keep tables (keepsTables): provision-db's default, the gateway's not among them. */
const TABLE_SERVICE_NAMES = SERVICES.filter(keepsTables).map((s) => s.name);

program
  .command('provision-db')
  .description(
    'with DATABASE_ADMIN_URL (an administrator of the database), make each service a login role owning only its schema; ' +
      'its password from <SERVICE>_DATABASE_PASSWORD (required), its name from <SERVICE>_DATABASE_ROLE (mesh_<service> by default); ' +
      'by default every service that keeps tables (a service keeping none, the gateway, gets no role: least privilege)',
  )
  .addOption(
    new Option('-s, --services <list>', `comma-separated: ${SERVICE_NAMES.join(',')}`)
      .default([...TABLE_SERVICE_NAMES], TABLE_SERVICE_NAMES.join(','))
      .argParser(parseServices),
  )
  .action(async (options: { services: string[] }) => {
    const adminUrl = optionalUrl(process.env, 'DATABASE_ADMIN_URL', ['postgres', 'postgresql']);
    if (!adminUrl) throw new ConfigError("DATABASE_ADMIN_URL must name an administrator of the mesh's database");
    const roles = options.services.map((service) => {
      const password = optionalString(process.env, serviceVariable(service, 'DATABASE_PASSWORD'));
      if (!password) throw new ConfigError(`${serviceVariable(service, 'DATABASE_PASSWORD')} is required: no service gets a default password`);
      return { service, role: stringOr(process.env, serviceVariable(service, 'DATABASE_ROLE'), defaultServiceRole(service)), password };
    });
    await provisionServiceRoles(adminUrl, roles, createLogger({ level: loadConfig().logLevel }));
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
