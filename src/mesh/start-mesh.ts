import { MeshConfig, ServiceName } from '../platform/config/mesh-config';
import { parseConsulAddress, registerConsulResolver } from '../platform/discovery';
import { Logger } from '../platform/log/logger';
import { RunningService, ServiceDependencies } from '../platform/service';
import { startEmotionService } from '../services/emotion/server';
import { startInterviewService } from '../services/interview/server';
import { startNotifierService } from '../services/notifier/server';
import { startScoringService } from '../services/scoring/server';
import { openInfrastructure } from './infrastructure';

export interface Mesh {
  readonly services: ReadonlyMap<ServiceName, RunningService>;
  /** `host:port` of a running service. */
  address(name: ServiceName): string;
  /** Stops the services (interview first, so nothing new reaches the others), then the bus and database. */
  stop(graceMs?: number): Promise<void>;
}

/** Start order: downstreams first, so the interview service finds them. */
const START_ORDER: readonly ServiceName[] = ['emotion', 'scoring', 'notifier', 'interview'];

/**
 * The composition root: opens the infrastructure once and starts `names` in this process, each on
 * its own port (registered in Consul when CONSUL_HTTP_ADDR is set). When emotion or scoring run here too, the interview service calls them at the port
 * they actually got (which matters with port 0).
 */
export async function startMesh(config: MeshConfig, names: readonly ServiceName[], log: Logger): Promise<Mesh> {
  const wanted = START_ORDER.filter((n) => names.includes(n));
  // `consul:///<service>` targets (the downstream default when CONSUL_HTTP_ADDR is set) resolve through this agent.
  if (config.consulAddr) registerConsulResolver({ defaultAgent: parseConsulAddress(config.consulAddr), log: log.child({ component: 'consul-resolver' }) });
  const infrastructure = await openInfrastructure(config, wanted, log);
  const deps: ServiceDependencies = { config, log, db: infrastructure.db, bus: infrastructure.bus };
  const services = new Map<ServiceName, RunningService>();
  try {
    for (const name of wanted) {
      if (name === 'emotion') services.set(name, await startEmotionService(deps));
      if (name === 'scoring') services.set(name, await startScoringService(deps));
      if (name === 'notifier') services.set(name, await startNotifierService(deps));
      if (name === 'interview') {
        services.set(
          name,
          await startInterviewService(deps, {
            emotionTarget: services.get('emotion')?.server.address,
            scoringTarget: services.get('scoring')?.server.address,
          }),
        );
      }
    }
  } catch (error) {
    await stopAll(services, 0);
    await infrastructure.close();
    throw error;
  }
  return {
    services,
    address: (name) => {
      const service = services.get(name);
      if (!service) throw new Error(`${name} is not running in this process`);
      return service.server.address;
    },
    async stop(graceMs = config.shutdownGraceMs) {
      await stopAll(services, graceMs);
      await infrastructure.close();
      log.info('mesh stopped');
    },
  };
}

async function stopAll(services: Map<ServiceName, RunningService>, graceMs: number): Promise<void> {
  for (const name of [...START_ORDER].reverse()) await services.get(name)?.stop(graceMs);
}
