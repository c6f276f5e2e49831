/**
 * The deployment files, checked by the validators of their own formats (there is no Docker engine
 * or Kubernetes cluster here): deploy/docker-compose.yml against the compose-spec JSON schema
 * (check-jsonschema's vendored copy), deploy/k8s/ against Kubernetes' schemas with unknown fields
 * rejected (kubernetes-validate --strict), consul/*.hcl and deploy/consul/agent-tls.hcl by `consul
 * validate` as an agent would load them. Each validator is also shown a broken copy, so that a
 * validator that accepts anything fails here. Then what the mesh needs of them: Consul everywhere,
 * TLS on every hop (each service its own certificate, mounted read-only; Consul's checks over TLS),
 * health probes on the right ports (over TLS: deploy/grpc-health-probe.cjs, run here against a
 * server), emotion replicated, names and tags as the services register themselves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES, SERVICES } from '../../src/mesh/registry';
import { HealthState } from '../../src/platform/grpc/health';
import { startGrpcServer } from '../../src/platform/grpc/server';
import { silentLogger } from '../../src/platform/log/logger';
import { TransportSecurity, transportSettings } from '../../src/platform/tls/transport-security';
import { TEST_TLS_DIR } from '../support/tls';

const DEFAULT_PORTS = Object.fromEntries(SERVICES.map((s) => [s.name, s.defaultPort]));
const SERVICE_TAGS = Object.fromEntries(SERVICES.map((s) => [s.name, s.consulTags]));
import { runCaptured, runScript } from '../support/tools';

jest.setTimeout(60_000);

const REPO = path.resolve(__dirname, '../..');
/** Kubernetes version the manifests are validated against (gRPC probes are GA since 1.27). */
const KUBERNETES_VERSION = '1.33.0';
/** The gRPC service each one's health checks ask about (none for the notifier, which serves health only). */
const GRPC_SERVICE: Record<string, string | undefined> = Object.fromEntries(SERVICES.map((s) => [s.name, s.grpcServices[0]]));

const exec = (command: string, args: string[]) => runCaptured(command, args, { cwd: REPO });
/** The Kubernetes probes' command, before its workload, port and service: the TLS health check in the image. */
const PROBE = ['node', '/app/deploy/grpc-health-probe.cjs'];

/** What these tests read of deploy/docker-compose.yml, as PyYAML loads it (merge keys resolved). */
interface ComposeFile {
  services: Record<string, ComposeService>;
}
interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas: number };
  volumes?: (string | ComposeVolume)[];
}
/** A volume in the compose file's long syntax. */
interface ComposeVolume {
  type: string;
  source: string;
  target: string;
  read_only?: boolean;
  volume?: { subpath?: string };
}

/** What these tests read of a Kubernetes manifest's documents: kind and name, and the ConfigMap, Deployments and Services. */
interface K8sObject {
  kind: string;
  metadata: { name: string };
}
interface ConfigMap extends K8sObject {
  kind: 'ConfigMap';
  data: Record<string, string>;
}
interface Deployment extends K8sObject {
  kind: 'Deployment';
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { spec: { containers: Container[]; volumes?: PodVolume[] } };
  };
}
interface Container {
  args: string[];
  ports: unknown[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  startupProbe: Probe;
  envFrom: unknown[];
  env: { name: string; value?: string; valueFrom?: { fieldRef?: unknown; secretKeyRef?: unknown } }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Probe {
  exec?: { command: string[] };
  grpc?: unknown;
  timeoutSeconds?: number;
}
interface PodVolume {
  name: string;
  secret?: { secretName: string };
}
interface Service extends K8sObject {
  kind: 'Service';
  spec: { selector: Record<string, string>; ports: unknown[] };
}

describe('deployment files', () => {
  let python: string;
  let consul: string;
  let scratch: string;
  const bin = (name: string) => path.join(path.dirname(python), name);
  /** A scratch copy of `file` with `from` replaced by `to`. */
  const broken = (file: string, from: string | RegExp, to: string) => {
    const text = fs.readFileSync(path.join(REPO, file), 'utf8');
    const changed = text.replace(from, to);
    expect(changed).not.toBe(text);
    const copy = path.join(scratch, `broken-${path.basename(file)}`);
    fs.writeFileSync(copy, changed);
    return copy;
  };
  /** YAML documents as JSON (PyYAML, which the validators' venv has; merge keys resolved). */
  const loadYaml = async (file: string): Promise<unknown[]> => {
    const { code, output } = await exec(python, ['-c', 'import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))', file]);
    expect({ code, output: code ? output : '' }).toEqual({ code: 0, output: '' });
    return JSON.parse(output) as unknown[];
  };

  beforeAll(() => {
    python = runScript('scripts/infra/ensure-python-tools.sh');
    consul = runScript('scripts/infra/ensure-consul.sh');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-files-'));
  }, 900_000);

  afterAll(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  describe('docker-compose.yml', () => {
    const validate = (file: string) => exec(bin('check-jsonschema'), ['--builtin-schema', 'vendor.compose-spec', file]);

    it('is valid against the compose-spec schema, which rejects a broken copy', async () => {
      expect(await validate('deploy/docker-compose.yml')).toEqual({ code: 0, output: 'ok -- validation done\n' });
      const misspelt = await validate(broken('deploy/docker-compose.yml', 'stop_grace_period: 15s', 'stop_grace_periode: 15s'));
      expect(misspelt.code).not.toBe(0);
      expect(misspelt.output).toContain("'stop_grace_periode' was unexpected");
      const wrongCondition = await validate(broken('deploy/docker-compose.yml', /condition: service_healthy/g, 'condition: healthy'));
      expect(wrongCondition.code).not.toBe(0);
      expect(wrongCondition.output).toContain("'healthy' is not one of");
    });

    it('runs Consul, PostgreSQL, RabbitMQ and every service registered in Consul, emotion with replicas', async () => {
      const [compose] = (await loadYaml('deploy/docker-compose.yml')) as [ComposeFile];
      expect(Object.keys(compose.services).sort()).toEqual([
        'auth',
        'consul',
        'emotion',
        'interview',
        'notifier',
        'postgres',
        'rabbitmq',
        'scoring',
        'tls-init',
      ]);
      for (const name of SERVICE_NAMES) {
        const service = compose.services[name];
        expect(service.command).toEqual(['--services', name]);
        expect(service.environment).toMatchObject<Record<string, unknown>>({
          CONSUL_HTTP_ADDR: 'http://consul:8500',
          DATABASE_URL: expect.stringMatching(/^postgres:\/\/.*@postgres:5432\//),
          AMQP_URL: expect.stringMatching(/^amqp:\/\/.*@rabbitmq:5672$/),
        });
        expect(service.depends_on!.consul).toEqual({ condition: 'service_healthy' });
      }
      expect(compose.services.emotion.deploy!.replicas).toBeGreaterThanOrEqual(2);
      // Downstreams are found through Consul, not fixed addresses.
      expect(compose.services.interview.environment!.EMOTION_ADDR).toBeUndefined();
      expect(compose.services.interview.environment!.SCORING_ADDR).toBeUndefined();
    });

    it('gives every service TLS files of its own, read-only, and Consul its own for the TLS health checks', async () => {
      const [compose] = (await loadYaml('deploy/docker-compose.yml')) as [ComposeFile];
      /** The long-syntax volumes of `service`, by where they are mounted. */
      const mounts = (service: ComposeService) =>
        Object.fromEntries((service.volumes ?? []).filter((v): v is ComposeVolume => typeof v !== 'string').map((v) => [v.target, v]));
      const tlsInit = compose.services['tls-init'];
      for (const name of SERVICE_NAMES) {
        const service = compose.services[name];
        // TLS, never the development switch.
        expect(service.environment!.MESH_INSECURE_PLAINTEXT).toBeUndefined();
        const dir = service.environment!.MESH_TLS_DIR;
        expect(dir).toMatch(/^\//);
        // Its own directory of the certificates' volume (its key and no other's, never the CA's key), read-only.
        expect(mounts(service)[dir]).toMatchObject({ type: 'volume', source: 'tls', read_only: true, volume: { subpath: name } });
        expect(service.depends_on!['tls-init']).toEqual({ condition: 'service_completed_successfully' });
        // tls-init issues its certificate.
        expect(tlsInit.command!.join(' ')).toMatch(new RegExp(`--service=(\\S*,)?${name}(,|\\s|$)`));
      }
      // Nothing but tls-init mounts the CA's volume.
      const caVolume = (service: ComposeService) => (service.volumes ?? []).some((v) => (typeof v === 'string' ? v.split(':')[0] : v.source) === 'tls-ca');
      expect(Object.keys(compose.services).filter((name) => caVolume(compose.services[name]))).toEqual(['tls-init']);
      // Consul's agent: deploy/consul/agent-tls.hcl in its configuration, and a certificate of its own.
      const consulVolumes = (compose.services.consul.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
      expect(consulVolumes.some((v) => v.startsWith('./consul/agent-tls.hcl:/consul/config/'))).toBe(true);
      expect(Object.values(mounts(compose.services.consul))).toContainEqual(
        expect.objectContaining({ source: 'tls', read_only: true, volume: { subpath: 'consul' } }),
      );
      expect(tlsInit.command!.join(' ')).toMatch(/--service=(\S*,)?consul(,|\s|$)/);
    });
  });

  describe('Kubernetes manifests (deploy/k8s)', () => {
    const manifests = () =>
      fs
        .readdirSync(path.join(REPO, 'deploy/k8s'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => path.join('deploy/k8s', f));
    const validate = (files: string[]) => exec(bin('kubernetes-validate'), ['--strict', '--kubernetes-version', KUBERNETES_VERSION, ...files]);

    it(`are valid Kubernetes ${KUBERNETES_VERSION} resources, unknown fields rejected, and a broken copy is not`, async () => {
      const { code, output } = await validate(manifests());
      expect({ code, errors: output.split('\n').filter((line) => !line.startsWith('INFO') && line) }).toEqual({ code: 0, errors: [] });
      expect(output.match(/^INFO .* passed/gm)).toHaveLength(11);
      const misspelt = await validate([broken('deploy/k8s/emotion.yaml', 'periodSeconds: 5', 'periodSecond: 5')]);
      expect(misspelt.code).not.toBe(0);
      expect(misspelt.output).toContain("'periodSecond' was unexpected");
      const mistyped = await validate([broken('deploy/k8s/emotion.yaml', /containerPort: 50052/g, 'containerPort: "50052"')]);
      expect(mistyped.code).not.toBe(0);
      expect(mistyped.output).toContain("'50052' is not of type 'integer'");
    });

    it('run each service with TLS health probes on its port, its own TLS Secret, config from the environment', async () => {
      const documents = (await Promise.all(manifests().map(loadYaml))).flat() as K8sObject[];
      const config = documents.find((d): d is ConfigMap => d.kind === 'ConfigMap')!;
      expect(config.data.CONSUL_HTTP_ADDR).toMatch(/^http:\/\/.+:8500$/);
      expect(config.data.MESH_TLS_DIR).toMatch(/^\//);
      expect(config.data.MESH_INSECURE_PLAINTEXT).toBeUndefined();
      for (const name of SERVICE_NAMES) {
        const port = DEFAULT_PORTS[name];
        const deployment = documents.find((d): d is Deployment => d.kind === 'Deployment' && d.metadata.name === name)!;
        const [container] = deployment.spec.template.spec.containers;
        expect(container.args).toEqual(['--services', name]);
        expect(container.ports).toEqual([{ name: 'grpc', containerPort: port, protocol: 'TCP' }]);
        // The kubelet's gRPC probes speak plaintext only: the probes run the TLS health check in the pod.
        const probe = [...PROBE, name, String(port)];
        expect(container.readinessProbe.exec!.command).toEqual(GRPC_SERVICE[name] ? [...probe, GRPC_SERVICE[name]] : probe);
        expect(container.livenessProbe.exec!.command).toEqual(probe);
        expect(container.startupProbe.exec!.command).toEqual(probe);
        for (const p of [container.readinessProbe, container.livenessProbe, container.startupProbe]) expect(p.grpc).toBeUndefined();
        expect(container.envFrom).toEqual([{ configMapRef: { name: config.metadata.name } }]);
        // Its certificate: the Secret mesh-tls-<name>, mounted read-only where MESH_TLS_DIR says.
        const mount = container.volumeMounts?.find((m) => m.mountPath === config.data.MESH_TLS_DIR);
        expect(mount).toMatchObject({ readOnly: true });
        expect(deployment.spec.template.spec.volumes?.find((v) => v.name === mount!.name)?.secret?.secretName).toBe(`mesh-tls-${name}`);
        const env = Object.fromEntries(container.env.map((e) => [e.name, e]));
        expect(env.ADVERTISE_HOST.valueFrom).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
        expect(env.DATABASE_URL.valueFrom!.secretKeyRef).toBeDefined();
        expect(env.AMQP_URL.valueFrom!.secretKeyRef).toBeDefined();
        const service = documents.find((d): d is Service => d.kind === 'Service' && d.metadata.name === name)!;
        expect(service.spec.ports).toEqual([{ name: 'grpc', port, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' }]);
        expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      }
      expect(documents.find((d): d is Deployment => d.kind === 'Deployment' && d.metadata.name === 'emotion')!.spec.replicas).toBeGreaterThanOrEqual(2);
    });

    it("probes a server's health over TLS with the pod's own certificate (deploy/grpc-health-probe.cjs)", async () => {
      // The emotion service's port as the mesh serves it: TLS with its certificate, a client certificate of the CA required.
      const transport = new TransportSecurity(transportSettings({ MESH_TLS_DIR: TEST_TLS_DIR }, scratch), silentLogger());
      const health = new HealthState(['emotion.EmotionService']);
      const server = await startGrpcServer({
        name: 'emotion',
        host: '127.0.0.1',
        port: 0,
        services: [],
        health,
        log: silentLogger(),
        credentials: transport.serverCredentials('emotion', true),
      });
      const probe = async (workload: string, service?: string, env: Record<string, string> = {}) => {
        const { code, output } = await runCaptured(
          process.execPath,
          [path.join(REPO, 'deploy/grpc-health-probe.cjs'), workload, String(server.port), ...(service ? [service] : [])],
          {
            cwd: REPO,
            env: { ...process.env, MESH_TLS_DIR: TEST_TLS_DIR, ...env },
          },
        );
        return { code, output: output.trim() };
      };
      try {
        health.set('emotion.EmotionService', 'NOT_SERVING');
        expect(await probe('emotion', 'emotion.EmotionService')).toEqual({ code: 1, output: 'emotion emotion.EmotionService: NOT_SERVING' });
        health.markServing();
        expect(await probe('emotion', 'emotion.EmotionService')).toEqual({ code: 0, output: '' });
        expect(await probe('emotion')).toEqual({ code: 0, output: '' });
        // The server's certificate must name the workload the probe expects.
        expect((await probe('scoring')).code).toBe(1);
        // Plaintext does not reach a TLS port.
        expect((await probe('emotion', undefined, { MESH_INSECURE_PLAINTEXT: 'true' })).code).toBe(1);
      } finally {
        await server.shutdown(0);
        transport.close();
      }
    });
  });

  describe('Consul service definitions (consul/)', () => {
    const agentConfig = () => {
      const file = path.join(scratch, 'agent.hcl');
      fs.writeFileSync(file, `data_dir = "${path.join(scratch, 'consul-data')}"\n`);
      return file;
    };

    it('load in a Consul agent (consul validate), and a broken copy does not', async () => {
      expect(await exec(consul, ['validate', 'consul/', agentConfig()])).toEqual({ code: 0, output: 'Configuration is valid!\n' });
      expect(await exec(consul, ['validate', 'deploy/consul/agent-tls.hcl', agentConfig()])).toEqual({ code: 0, output: 'Configuration is valid!\n' });
      const badTls = await exec(consul, [
        'validate',
        broken('deploy/consul/agent-tls.hcl', /^enable_agent_tls_for_checks/m, 'enable_agent_tls_for_check'),
        agentConfig(),
      ]);
      expect(badTls.code).not.toBe(0);
      expect(badTls.output).toContain('invalid config key enable_agent_tls_for_check');
      const bad = await exec(consul, ['validate', broken('consul/emotion.hcl', 'interval = "10s"', 'intervall = "10s"'), agentConfig()]);
      expect(bad.code).not.toBe(0);
      expect(bad.output).toContain('invalid config key service.check.intervall');
    });

    it('name, tag and check each service as it registers itself', () => {
      for (const name of SERVICE_NAMES) {
        const hcl = fs.readFileSync(path.join(REPO, 'consul', `${name}.hcl`), 'utf8');
        expect(hcl).toContain(`name = "${name}"`);
        expect(hcl).toContain(`port = ${DEFAULT_PORTS[name]}`);
        expect(hcl).toContain(`tags = [${SERVICE_TAGS[name].map((t) => `"${t}"`).join(', ')}]`);
        expect(hcl).toContain(`grpc     = "127.0.0.1:${DEFAULT_PORTS[name]}${GRPC_SERVICE[name] ? `/${GRPC_SERVICE[name]}` : ''}"`);
        // Over TLS, verifying the service's name, as src/platform/discovery registers it.
        expect(hcl).toMatch(/grpc_use_tls\s*=\s*true/);
        expect(hcl).toMatch(new RegExp(`tls_server_name\\s*=\\s*"${name}"`));
      }
    });

    it("makes the agent run the checks with the mesh's CA and a certificate of its own", () => {
      const hcl = fs.readFileSync(path.join(REPO, 'deploy/consul/agent-tls.hcl'), 'utf8');
      expect(hcl).toMatch(/enable_agent_tls_for_checks\s*=\s*true/);
      for (const key of ['ca_file', 'cert_file', 'key_file']) expect(hcl).toMatch(new RegExp(`${key}\\s*=\\s*"[^"]+"`));
    });
  });
});
