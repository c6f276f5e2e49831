/**
 * The deployment files, checked by the validators of their own formats (there is no Docker engine
 * or Kubernetes cluster here): deploy/docker-compose.yml against the compose-spec JSON schema
 * (check-jsonschema's vendored copy), deploy/k8s/ against Kubernetes' schemas with unknown fields
 * rejected (kubernetes-validate --strict), consul/*.hcl, deploy/consul/agent-tls.hcl and
 * deploy/consul/agent-acl.hcl by `consul validate` as an agent would load them. Each validator is
 * also shown a broken copy, so that a validator that accepts anything fails here. Then what the mesh
 * needs of them: Consul everywhere, TLS on every hop (each service its own certificate, mounted
 * read-only; Consul's checks over TLS), health probes on the right ports (over TLS:
 * deploy/grpc-health-probe.cjs, run here against a server), emotion replicated, names and tags as
 * the services register themselves.
 *
 * And the deployment's hardening (issue 11), each check a function listing what it finds wrong,
 * shown the real files (nothing wrong) and broken copies (the fault named): no credential in the
 * files and none defaulted (Compose: every secret a required `${VAR:?...}`, listed empty in
 * deploy/.env.example; Kubernetes: every secret from a Secret, none in the manifests), a database
 * role per service (its URL from its own Secret, provisioned by a one-shot), a RabbitMQ user per
 * service (mesh-<service>, none shared, provisioned by a one-shot through the management API,
 * which is not published and which only that one-shot may reach), TLS to PostgreSQL
 * (sslmode=verify-full against the mesh's CA, which issues the server's certificate; no plaintext
 * connection let in) and to RabbitMQ (amqps:// with AMQP_CA_FILE; no plaintext listener), Consul
 * with ACLs denying by default, not as root, a one-shot provisioning each service a token, which
 * reaches that service alone (deploy/consul-tokens.sh and the image's entrypoint are run here), the
 * management token no service's, only the public gRPC ports published, every image pinned to a
 * version, the image's user not root, every pod restricted (non-root, read-only root filesystem, no
 * privilege escalation, no capability, RuntimeDefault seccomp), and NetworkPolicies that deny
 * ingress by default and open only the mesh's edges, evaluated for every pair of peers.
 *
 * And the observability stack the repository ships (issue 12): in Compose, Prometheus 2, Grafana
 * and Jaeger v2 pinned, unpublished and confined like the mesh's containers (not root either);
 * Prometheus reading deploy/prometheus/ (read-only) and scraping exactly the Compose services of
 * the mesh on their METRICS_PORT (9464), Grafana provisioned from deploy/grafana/ (read-only) with
 * that Prometheus, its administrator's password required; every service exporting its traces to
 * the Jaeger service's OTLP/HTTP port. In Kubernetes, each service's pods annotated for scraping
 * with a container port `metrics` (9464, the ConfigMap's METRICS_PORT), the ConfigMap exporting
 * traces over OTLP, no Prometheus of the manifests' own; and the NetworkPolicies evaluated for
 * egress too: the metrics port reachable from Prometheus's pods alone, the mesh's pods reaching the
 * OTLP receiver, DNS and their own edges and nothing else.
 *
 * And the interview service's report links (issue 13): its HTTPS port (8443) declared and published
 * as its gRPC port is (Compose's ports, the container port and Service port `https`, let in from
 * anywhere by the NetworkPolicies and by nothing of the mesh called), the links' origin https:// on
 * it, and their signing key shared by its replicas: in Compose a volume of its own, in Kubernetes
 * the Secret interview-report-link-key mounted read-only, which no other pod reads.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES, SERVICES } from '../../src/mesh/registry';
import { DEFAULT_METRICS_PORT, serviceVariable } from '../../src/platform/config/mesh-config';
import { consulTokenEnv, MeshConsulTokens } from '../../src/platform/discovery';
import { HealthState } from '../../src/platform/grpc/health';
import { startGrpcServer } from '../../src/platform/grpc/server';
import { silentLogger } from '../../src/platform/log/logger';
import { TransportSecurity, transportSettings } from '../../src/platform/tls/transport-security';
import { keepsTables, usesBroker } from '../../src/platform/service/descriptor';
import { DEFAULT_GATEWAY_HTTPS_PORT } from '../../src/services/gateway/settings';
import { DEFAULT_HTTPS_PORT } from '../../src/services/interview/report-link-settings';
import { TEST_TLS_DIR } from '../support/tls';

import { runCaptured, runScript } from '../support/tools';

const DEFAULT_PORTS = Object.fromEntries(SERVICES.map((s) => [s.name, s.defaultPort]));
const SERVICE_TAGS = Object.fromEntries(SERVICES.map((s) => [s.name, s.consulTags]));
/** The services whose port is public (people call it): interview and auth. */
const PUBLIC_SERVICES = SERVICES.filter((s) => s.exposure === 'public').map((s) => s.name);
/**
 * The HTTPS ports (ServiceContext.serveHttps), public whatever their service's gRPC port is (people
 * reach them with a browser or curl): the interview service's report links, the gateway's REST and
 * WebSocket API (whose gRPC port, health only, is internal).
 */
const HTTPS_PORTS: Partial<Record<string, number>> = { interview: DEFAULT_HTTPS_PORT, gateway: DEFAULT_GATEWAY_HTTPS_PORT };
/** The services that keep tables: each a database role of its own; the others (the gateway) none, no URL, no password. */
const TABLE_SERVICES = SERVICES.filter(keepsTables).map((s) => s.name);
const TABLELESS_SERVICES = SERVICE_NAMES.filter((name) => !TABLE_SERVICES.includes(name));
/** The services that publish or consume events: each a broker user of its own; the others (the gateway) none. */
const BROKER_SERVICES = SERVICES.filter(usesBroker).map((s) => s.name);
const BROKERLESS_SERVICES = SERVICE_NAMES.filter((name) => !BROKER_SERVICES.includes(name));
/** The Kubernetes Secret holding the report links' signing key (deploy/k8s/interview.yaml), which every interview pod mounts. */
const REPORT_LINK_SECRET = 'interview-report-link-key';
/** Who calls each service: the services that declare it a downstream. */
const CALLERS: Record<string, string[]> = Object.fromEntries(
  SERVICES.map((target) => [target.name, SERVICES.filter((s) => Object.values(s.downstreams).some((d) => d.service === target.name)).map((s) => s.name)]),
);
/** The services that resolve consul:/// targets (those with downstreams): they need the resolver's Consul token. */
const RESOLVERS = SERVICES.filter((s) => Object.keys(s.downstreams).length > 0)
  .map((s) => s.name)
  .sort();

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
  volumes?: Record<string, unknown>;
}
interface ComposeService {
  image?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Partial<Record<string, { condition: string }>>;
  user?: string;
  deploy?: { replicas: number };
  volumes?: (string | ComposeVolume)[];
  ports?: (string | number | { target: number; published?: string | number })[];
  read_only?: boolean;
  tmpfs?: string | string[];
  cap_drop?: string[];
  security_opt?: string[];
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
  metadata: { name: string; namespace?: string; labels?: Labels };
}
type Labels = Record<string, string>;
interface ConfigMap extends K8sObject {
  kind: 'ConfigMap';
  data: Record<string, string>;
}
/** A Deployment, a Job or any other object that runs pods from a template. */
interface Workload extends K8sObject {
  spec: { template: { metadata?: { labels?: Labels; annotations?: Record<string, string> }; spec: PodSpec } };
}
interface Deployment extends Workload {
  kind: 'Deployment';
  spec: Workload['spec'] & { replicas: number; selector: { matchLabels: Labels } };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: PodVolume[];
  securityContext?: SecurityContext;
  automountServiceAccountToken?: boolean;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  seccompProfile?: { type: string };
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  readinessProbe: Probe;
  livenessProbe: Probe;
  startupProbe: Probe;
  envFrom: unknown[];
  env?: EnvVar[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: SecurityContext;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: unknown; secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  exec?: { command: string[] };
  grpc?: unknown;
  timeoutSeconds?: number;
}
interface PodVolume {
  name: string;
  secret?: { secretName: string };
  configMap?: { name: string };
  emptyDir?: unknown;
}
interface Service extends K8sObject {
  kind: 'Service';
  spec: { selector: Labels; ports: { name?: string; port: number; targetPort?: number | string }[] };
}
interface NetworkPolicy extends K8sObject {
  kind: 'NetworkPolicy';
  spec: { podSelector: LabelSelector; policyTypes?: string[]; ingress?: IngressRule[]; egress?: EgressRule[] };
}
interface LabelSelector {
  matchLabels?: Labels;
  /** operator: In, NotIn, Exists or DoesNotExist (a string: the YAML may say anything). */
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
/** A peer of a NetworkPolicy rule: pods (of namespaces), or addresses. */
interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface PolicyPort {
  port?: number | string;
  endPort?: number;
  protocol?: string;
}
interface IngressRule {
  from?: PolicyPeer[];
  ports?: PolicyPort[];
}
interface EgressRule {
  to?: PolicyPeer[];
  ports?: PolicyPort[];
}

/** The version the mesh's image is tagged with: the package's. */
const MESH_IMAGE = `interview-mesh:${(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version}`;

/** Images whose releases are numbered major.minor (PostgreSQL 15.15): their exact versions have two parts. */
const TWO_PART_VERSIONS = new Set(['postgres']);

/**
 * What is wrong with an image reference: `""` when it names an exact version (a tag starting
 * x.y.z, x.y for TWO_PART_VERSIONS, or a digest), else why not (no tag, `latest`, a moving tag
 * such as `15`, `3.13` or `3-management`).
 */
function imagePinProblem(image: string): string {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return '';
  const name = image.slice(image.lastIndexOf('/') + 1);
  const [repository, tag = ''] = name.split(':');
  if (!tag) return `image ${image} has no tag`;
  if (tag === 'latest') return `image ${image} is latest`;
  const version = TWO_PART_VERSIONS.has(repository) ? /^\d+\.\d+([-.][\w.-]+)?$/ : /^v?\d+\.\d+\.\d+([-.+][\w.-]+)?$/;
  if (!version.test(tag)) return `image ${image} is not pinned to a version (${TWO_PART_VERSIONS.has(repository) ? 'x.y' : 'x.y.z'})`;
  return '';
}

/** Names of variables that hold secrets: passwords, codes, tokens, keys. */
const SECRET_NAME = /(PASSWORD|_PASS|SECRET|TOKEN|INVITATION_CODE|PRIVATE_KEY|API_KEY)$/;
/** A required Compose interpolation, whole: `${VAR:?message}`. */
const REQUIRED = /^\$\{([A-Z][A-Z0-9_]*):\?[^}]+\}$/;
/** The password of a URL with credentials (scheme://user:password@host), as written. */
const urlPassword = (value: string) => /^[a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:(.*)@[^@]*$/i.exec(value)?.[1];

/** A Compose service's environment (the file writes each as a map), any variable possibly absent. */
const composeEnvironment = (service: ComposeService | undefined): Partial<Record<string, string>> => service?.environment ?? {};

/**
 * The Compose file's credentials: every interpolation in `text` (comments aside) is a required one
 * (no `${VAR}` that is empty when unset, no `${VAR:-default}`), every secret-named variable and
 * every URL's password is exactly a required interpolation (no literal), and deploy/.env.example
 * (`envExample`) lists each variable required, with an empty value, and nothing else.
 */
function composeCredentialProblems(compose: ComposeFile, text: string, envExample: string): string[] {
  const problems: string[] = [];
  const required = new Set<string>();
  const code = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
  for (const [, inner] of code.matchAll(/\$\{([^}]*)\}/g)) {
    const match = REQUIRED.exec(`\${${inner}}`);
    if (match) required.add(match[1]);
    else problems.push(`\${${inner}} is not required (\${VAR:?...}): a default or an empty value when unset`);
  }
  for (const [serviceName, service] of Object.entries(compose.services)) {
    for (const [name, value] of Object.entries(composeEnvironment(service))) {
      const where = `${serviceName}: ${name}`;
      if (SECRET_NAME.test(name) && !REQUIRED.test(value ?? '')) problems.push(`${where} is not a required \${VAR:?...}`);
      const password = urlPassword(value ?? '');
      if (password !== undefined && !REQUIRED.test(password)) problems.push(`${where} has a password written in the file`);
    }
  }
  const example = new Map(
    envExample
      .split('\n')
      .filter((line) => line.trim() && !line.trim().startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]),
  );
  for (const name of required) if (!example.has(name)) problems.push(`deploy/.env.example does not list ${name}`);
  for (const [name, value] of example) {
    if (value) problems.push(`deploy/.env.example gives ${name} a value`);
    if (!required.has(name)) problems.push(`deploy/.env.example lists ${name}, which docker-compose.yml does not require`);
  }
  return problems;
}

/**
 * The Compose file's database roles: a one-shot db-provision (provision-db, the superuser's URL with
 * the password PostgreSQL was given, each service's password), every service after it, each logging
 * in as its own role mesh_<service> with its own password (DATABASE_URL and <SERVICE>_DATABASE_URL).
 */
function composeRoleProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const provision = compose.services['db-provision'] as ComposeService | undefined;
  if (!provision) return ['no db-provision service'];
  if (![...(provision.entrypoint ?? []), ...(provision.command ?? [])].includes('provision-db')) problems.push('db-provision does not run provision-db');
  const provisionEnv = composeEnvironment(provision);
  const superuserPassword = composeEnvironment(compose.services.postgres).POSTGRES_PASSWORD;
  const adminUrl = provisionEnv.DATABASE_ADMIN_URL ?? '';
  if (!adminUrl.startsWith('postgres://') || urlPassword(adminUrl) !== superuserPassword) {
    problems.push("db-provision's DATABASE_ADMIN_URL is not PostgreSQL's superuser with POSTGRES_PASSWORD");
  }
  for (const name of TABLELESS_SERVICES) {
    // Least privilege: a service keeping no tables gets no role, so no password and no URL.
    if (provisionEnv[serviceVariable(name, 'DATABASE_PASSWORD')] !== undefined)
      problems.push(`db-provision takes ${serviceVariable(name, 'DATABASE_PASSWORD')}: ${name} keeps no tables`);
    const env = composeEnvironment(compose.services[name]);
    for (const urlVariable of ['DATABASE_URL', serviceVariable(name, 'DATABASE_URL')])
      if (env[urlVariable] !== undefined) problems.push(`${name}: has ${urlVariable}, keeping no tables`);
  }
  for (const name of TABLE_SERVICES) {
    const passwordVariable = serviceVariable(name, 'DATABASE_PASSWORD');
    const ownPassword = new RegExp(`^\\$\\{${passwordVariable}:\\?[^}]+\\}$`);
    if (!ownPassword.test(provisionEnv[passwordVariable] ?? '')) problems.push(`db-provision does not take ${passwordVariable}`);
    const service = compose.services[name] as ComposeService | undefined;
    if (!service) continue;
    if (service.depends_on?.['db-provision']?.condition !== 'service_completed_successfully') problems.push(`${name} does not wait for db-provision`);
    const env = composeEnvironment(service);
    for (const urlVariable of ['DATABASE_URL', serviceVariable(name, 'DATABASE_URL')]) {
      const match = /^postgres:\/\/([^:@]+):([^@]+)@postgres:5432\/mesh(\?[^@]*)?$/.exec(env[urlVariable] ?? '');
      if (!match) problems.push(`${name}: ${urlVariable} is not a postgres://user:password@postgres:5432/mesh URL`);
      else if (match[1] !== `mesh_${name}` || !ownPassword.test(match[2]))
        problems.push(`${name}: ${urlVariable} is not its own role (mesh_${name}, ${passwordVariable})`);
    }
  }
  return problems;
}

/**
 * The Compose file's broker users (README, "Broker users"): RabbitMQ with the management plugin (an
 * image tagged `-management`), a one-shot broker-provision (scripts/broker/provision.ts, the
 * management API at rabbitmq:15672 as the administrator RabbitMQ was given, each service's
 * password), every service after it, each connecting as its own user mesh-<service> with its own
 * password (AMQP_URL and <SERVICE>_AMQP_URL), no two services as one user, none as the administrator.
 */
function composeBrokerProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const rabbitmq = compose.services.rabbitmq as ComposeService | undefined;
  if (!(rabbitmq?.image ?? '').endsWith('-management')) problems.push('rabbitmq: its image has no management plugin (a -management tag)');
  const provision = compose.services['broker-provision'] as ComposeService | undefined;
  if (!provision) return [...problems, 'no broker-provision service'];
  if (![...(provision.entrypoint ?? []), ...(provision.command ?? [])].includes('scripts/broker/provision.ts'))
    problems.push('broker-provision does not run scripts/broker/provision.ts');
  const provisionEnv = composeEnvironment(provision);
  const brokerEnv = composeEnvironment(rabbitmq);
  const administrator = brokerEnv.RABBITMQ_DEFAULT_USER ?? '';
  const management = /^http:\/\/([^:@]+):([^@]+)@rabbitmq:15672$/.exec(provisionEnv.RABBITMQ_MANAGEMENT_URL ?? '');
  if (management?.[1] !== administrator || management[2] !== brokerEnv.RABBITMQ_DEFAULT_PASS) {
    problems.push("broker-provision's RABBITMQ_MANAGEMENT_URL is not RabbitMQ's administrator at rabbitmq:15672");
  }
  /** The services connecting as each broker user. */
  const users = new Map<string, Set<string>>();
  for (const name of BROKERLESS_SERVICES) {
    // Least privilege: a service with no events gets no broker user, so no password and no URL.
    if (provisionEnv[serviceVariable(name, 'AMQP_PASSWORD')] !== undefined)
      problems.push(`broker-provision takes ${serviceVariable(name, 'AMQP_PASSWORD')}: ${name} has no events`);
    const env = composeEnvironment(compose.services[name]);
    for (const urlVariable of ['AMQP_URL', serviceVariable(name, 'AMQP_URL')])
      if (env[urlVariable] !== undefined) problems.push(`${name}: has ${urlVariable}, with no events`);
  }
  for (const name of BROKER_SERVICES) {
    const passwordVariable = serviceVariable(name, 'AMQP_PASSWORD');
    const ownPassword = new RegExp(`^\\$\\{${passwordVariable}:\\?[^}]+\\}$`);
    if (!ownPassword.test(provisionEnv[passwordVariable] ?? '')) problems.push(`broker-provision does not take ${passwordVariable}`);
    const service = compose.services[name] as ComposeService | undefined;
    if (!service) continue;
    if (service.depends_on?.['broker-provision']?.condition !== 'service_completed_successfully') problems.push(`${name} does not wait for broker-provision`);
    const env = composeEnvironment(service);
    if (![undefined, 'mesh-'].includes(env.AMQP_USER_PREFIX)) problems.push(`${name}: AMQP_USER_PREFIX is not mesh-`);
    for (const urlVariable of ['AMQP_URL', serviceVariable(name, 'AMQP_URL')]) {
      const match = /^amqps?:\/\/([^:@]+):([^@]+)@rabbitmq:567[12]$/.exec(env[urlVariable] ?? '');
      if (!match) {
        problems.push(`${name}: ${urlVariable} is not an amqp://user:password@rabbitmq:5672 URL`);
        continue;
      }
      users.set(match[1], (users.get(match[1]) ?? new Set()).add(name));
      if (match[1] !== `mesh-${name}` || !ownPassword.test(match[2]))
        problems.push(`${name}: ${urlVariable} is not its own broker user (mesh-${name}, ${passwordVariable})`);
    }
  }
  for (const [user, names] of users) {
    if (names.size > 1) problems.push(`${[...names].join(' and ')} share the broker user ${user}`);
    if (user === administrator) problems.push(`${[...names].join(' and ')} ${names.size > 1 ? 'connect' : 'connects'} as RabbitMQ's administrator ${user}`);
  }
  return problems;
}

/**
 * The observability stack of the Compose file (issue 12), by the image each service runs: its
 * repository, the major version it must be (Prometheus 2: alerts.yml's tests ran on promtool 2.42;
 * Jaeger v2, whose all-in-one takes OTLP), and the Compose service's name.
 */
const OBSERVABILITY: Record<string, { repository: string; major?: number; service: string }> = {
  prometheus: { repository: 'prom/prometheus', major: 2, service: 'prometheus' },
  grafana: { repository: 'grafana/grafana', service: 'grafana' },
  jaeger: { repository: 'jaegertracing/jaeger', major: 2, service: 'jaeger' },
};
/** The repository (`prom/prometheus`) and tag (`v2.53.5`) of an image reference. */
function imageParts(image: string): { repository: string; tag: string } {
  const [name, tag = ''] = image.split('@')[0].split(/:(?=[^/]*$)/);
  return { repository: name.replace(/^docker\.io\/(library\/)?/, ''), tag };
}
/** Whether a Compose `user` (`uid[:gid]`, or a name) is root, or leaves the image's (possibly root) in place. */
const rootOrUnset = (user: string | undefined) => user === undefined || /^(root|0)(:|$)/.test(user.trim());
/** A bind mount's source: a path on the host (Compose resolves `./x` against the compose file's directory). */
const isBindSource = (source: string) => /^[./~]/.test(source);

/**
 * The Compose file's exposure and confinement: only the public services publish their gRPC port,
 * and the services serving HTTPS their HTTPS port (HTTPS_PORTS: report links, the gateway); every image pinned to a version, the mesh's at the package's; every container of the mesh's
 * image and of the observability stack (OBSERVABILITY) with a read-only root filesystem, /tmp a
 * tmpfs, no capability, no privilege escalation, the observability stack's as a user it names that
 * is not root; no container mounting a path of the host writable.
 */
function composeExposureProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const observability = new Set(Object.values(OBSERVABILITY).map((o) => o.service));
  for (const [name, service] of Object.entries(compose.services)) {
    const published = (service.ports ?? []).map((port) => (typeof port === 'object' ? port.target : Number(String(port).split(':').at(-1)!.split('/')[0])));
    const allowed = [PUBLIC_SERVICES.includes(name) ? DEFAULT_PORTS[name] : undefined, HTTPS_PORTS[name]].filter((port) => port !== undefined);
    for (const port of published) if (!allowed.includes(port)) problems.push(`${name} publishes port ${port}`);
    const pin = imagePinProblem(service.image ?? '');
    if (pin) problems.push(`${name}: ${pin}`);
    if (service.image?.startsWith('interview-mesh:') && service.image !== MESH_IMAGE) problems.push(`${name}: image ${service.image} is not ${MESH_IMAGE}`);
    if (service.image?.startsWith('interview-mesh:') || observability.has(name)) {
      if (service.read_only !== true) problems.push(`${name}: the root filesystem is not read-only`);
      if (![service.tmpfs ?? []].flat().some((mount) => mount.split(':')[0] === '/tmp')) problems.push(`${name}: /tmp is not a tmpfs`);
      if (!service.cap_drop?.includes('ALL')) problems.push(`${name}: capabilities are not all dropped`);
      if (!service.security_opt?.includes('no-new-privileges:true')) problems.push(`${name}: privileges may escalate`);
    }
    if (observability.has(name) && rootOrUnset(service.user)) problems.push(`${name}: does not run as a user of its own other than root (user)`);
    for (const mount of composeMounts(service).filter((m) => isBindSource(m.source) && !m.readOnly)) problems.push(`${name}: mounts ${mount.source} writable`);
  }
  return problems;
}

/** A Compose service's published ports: the container's port, and the host's (undefined: one Docker picks). */
function composePorts(service: ComposeService): { target: number; published?: number }[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { target: port.target, published: port.published === undefined ? undefined : Number(port.published) };
    const parts = String(port).split('/')[0].split(':');
    return { target: Number(parts.at(-1)), published: parts.length > 1 ? Number(parts.at(-2)) : undefined };
  });
}

/**
 * The Compose file's report links (README, "Reports"): the interview service serving HTTPS on its
 * HTTPS port (INTERVIEW_HTTPS_PORT, 8443) and publishing it as it does its gRPC port (the same port
 * of the host); the links' origin (INTERVIEW_REPORT_BASE_URL) https:// on that port, not the
 * container's address the service would fall back on; their key (INTERVIEW_REPORT_LINK_KEY_FILE)
 * set (else, on the read-only root filesystem, each replica would sign with a key of its own), in a
 * named volume of its own (declared, mounted whole and writable at the file's directory: the first
 * start writes it, as the auth service's keys), which every replica shares and no other service mounts.
 */
function composeReportLinkProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const interview = compose.services.interview as ComposeService | undefined;
  if (!interview) return ['no interview service'];
  const env = composeEnvironment(interview);
  const port = Number(env.INTERVIEW_HTTPS_PORT ?? DEFAULT_HTTPS_PORT);
  if (port !== HTTPS_PORTS.interview) problems.push(`interview: INTERVIEW_HTTPS_PORT is ${port}, not ${HTTPS_PORTS.interview}`);
  const published = composePorts(interview);
  if (!published.some((p) => p.target === DEFAULT_PORTS.interview && p.published === DEFAULT_PORTS.interview))
    problems.push(`interview does not publish its gRPC port ${DEFAULT_PORTS.interview} (${DEFAULT_PORTS.interview}:${DEFAULT_PORTS.interview})`);
  if (!published.some((p) => p.target === port && p.published === port))
    problems.push(`interview does not publish its HTTPS port ${port} (${port}:${port}, as its gRPC port)`);
  const base = env.INTERVIEW_REPORT_BASE_URL;
  const url = base && URL.canParse(base) ? new URL(base) : undefined;
  if (url?.protocol !== 'https:' || Number(url.port || 443) !== port || url.pathname !== '/')
    problems.push(
      `interview: INTERVIEW_REPORT_BASE_URL (${base ?? 'unset'}) is not https:// on the published port ${port}: the links would name the container's address`,
    );
  const keyFile = env.INTERVIEW_REPORT_LINK_KEY_FILE;
  if (!keyFile) return [...problems, 'interview: INTERVIEW_REPORT_LINK_KEY_FILE is not set: each replica would sign with a key of its own'];
  const volume = composeMounts(interview).find((m) => m.target === path.posix.dirname(keyFile));
  if (!volume || isBindSource(volume.source) || volume.readOnly || volume.subpath !== undefined || !(volume.source in (compose.volumes ?? {}))) {
    problems.push(`interview: INTERVIEW_REPORT_LINK_KEY_FILE (${keyFile}) is not in a named volume of its own, mounted writable at its directory`);
    return problems;
  }
  for (const [name, service] of Object.entries(compose.services)) {
    if (name !== 'interview' && composeMounts(service).some((m) => m.source === volume.source))
      problems.push(`${name}: mounts the report links' key (the volume ${volume.source})`);
  }
  return problems;
}

/** What these tests read of deploy/prometheus/prometheus.yml. */
interface PrometheusConfig {
  scrape_configs?: { job_name: string; static_configs?: { targets?: string[] }[]; dns_sd_configs?: { names?: string[]; port?: number }[] }[];
}
/** What these tests read of Grafana's provisioning files (deploy/grafana/provisioning). */
interface GrafanaProvisioning {
  datasources?: { name: string; type: string; url?: string; isDefault?: boolean }[];
  providers?: { name: string; options?: { path?: string } }[];
}
/** Loopback addresses: a process bound there is out of the other containers' (and pods') reach. */
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;
/** The value of `--flag=value` in a container's command line, else `fallback`. */
const flagValue = (args: string[] | undefined, flag: string, fallback: string) =>
  (args ?? []).find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1) ?? fallback;
/** The Compose service running an image of `repository` (OBSERVABILITY's), if any. */
const composeServiceOf = (compose: ComposeFile, repository: string) =>
  Object.entries(compose.services).find(([, service]) => imageParts(service.image ?? '').repository === repository);

/**
 * The Compose file's metrics (issue 12): Prometheus 2 (`prometheus`, its image's major version)
 * reading its configuration from deploy/prometheus/ mounted read-only where --config.file says, its
 * TSDB in a volume; each service of the mesh serving its metrics on METRICS_PORT 9464 (the
 * default, what prometheus.yml scrapes) bound where other containers reach it (BIND_HOST not
 * loopback); prometheus.yml (`config`) scraping each of them as a job of its name at
 * `<service>:<METRICS_PORT>` (its Compose name, which Compose's DNS answers with every replica),
 * and nothing but Compose services (and itself, on localhost); Grafana (`grafana`) provisioned
 * from deploy/grafana/provisioning (`provisioning`: its data sources and dashboard providers)
 * mounted read-only, the dashboard mounted read-only where the provider reads, the default data
 * source this Prometheus, its data in a volume, its administrator's password a required
 * ${VAR:?...}, no anonymous access.
 */
function composeMonitoringProblems(compose: ComposeFile, config: PrometheusConfig, provisioning: GrafanaProvisioning): string[] {
  const problems: string[] = [];
  const found = composeServiceOf(compose, OBSERVABILITY.prometheus.repository);
  if (!found) return ['no Prometheus service (prom/prometheus)'];
  const [prometheusName, prometheus] = found;
  if (prometheusName !== OBSERVABILITY.prometheus.service)
    problems.push(`Prometheus is the service ${prometheusName}, not ${OBSERVABILITY.prometheus.service}`);
  const { tag } = imageParts(prometheus.image ?? '');
  if (!tag.replace(/^v/, '').startsWith(`${OBSERVABILITY.prometheus.major}.`))
    problems.push(`${prometheusName}: image ${prometheus.image} is not Prometheus ${OBSERVABILITY.prometheus.major} (alerts.yml's tests ran on promtool 2.42)`);
  const configFile = flagValue(prometheus.command, '--config.file', '/etc/prometheus/prometheus.yml');
  if (!composeMounts(prometheus).some((m) => m.source === './prometheus' && m.target === path.posix.dirname(configFile) && m.readOnly))
    problems.push(`${prometheusName}: deploy/prometheus is not mounted read-only where its configuration is read (${path.posix.dirname(configFile)})`);
  const tsdb = flagValue(prometheus.command, '--storage.tsdb.path', '/prometheus');
  if (!composeMounts(prometheus).some((m) => m.target === tsdb && !isBindSource(m.source) && !m.readOnly))
    problems.push(`${prometheusName}: its TSDB (${tsdb}) is not in a volume it writes`);

  /** Every target prometheus.yml scrapes, by job: `host:port`. */
  const targets = (config.scrape_configs ?? []).map((job) => ({
    job: job.job_name,
    targets: [
      ...(job.dns_sd_configs ?? []).flatMap((sd) => (sd.names ?? []).map((host) => `${host}:${sd.port}`)),
      ...(job.static_configs ?? []).flatMap((sc) => sc.targets ?? []),
    ],
  }));
  const metricsPorts = new Map<string, string>();
  for (const name of SERVICE_NAMES) {
    const service = compose.services[name] as ComposeService | undefined;
    if (!service) continue;
    const env = composeEnvironment(service);
    const port = env.METRICS_PORT ?? String(DEFAULT_METRICS_PORT);
    metricsPorts.set(name, port);
    if (port !== String(DEFAULT_METRICS_PORT)) problems.push(`${name}: METRICS_PORT is ${port}, not ${DEFAULT_METRICS_PORT}`);
    if (LOOPBACK.test(env.BIND_HOST ?? '')) problems.push(`${name}: BIND_HOST ${env.BIND_HOST} keeps its metrics from Prometheus`);
    const job = targets.find((t) => t.job === name);
    if (job?.targets.join() !== `${name}:${port}`) problems.push(`prometheus.yml does not scrape ${name} at ${name}:${port} alone (a job named ${name})`);
  }
  for (const { job, targets: hosts } of targets) {
    for (const target of hosts) {
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), target.slice(target.lastIndexOf(':') + 1)];
      if (host === 'localhost') continue;
      if (!(host in compose.services)) problems.push(`prometheus.yml (job ${job}) scrapes ${target}: no Compose service ${host}`);
      else if (metricsPorts.has(host) && metricsPorts.get(host) !== port)
        problems.push(`prometheus.yml (job ${job}) scrapes ${target}, not ${host}'s metrics port`);
    }
  }

  const grafanaFound = composeServiceOf(compose, OBSERVABILITY.grafana.repository);
  if (!grafanaFound) return [...problems, 'no Grafana service (grafana/grafana)'];
  const [grafanaName, grafana] = grafanaFound;
  const env = composeEnvironment(grafana);
  if (!REQUIRED.test(env.GF_SECURITY_ADMIN_PASSWORD ?? '')) problems.push(`${grafanaName}: GF_SECURITY_ADMIN_PASSWORD is not a required \${VAR:?...}`);
  if ((env.GF_AUTH_ANONYMOUS_ENABLED ?? '').toLowerCase() === 'true') problems.push(`${grafanaName}: anonymous access is on`);
  const mounts = composeMounts(grafana);
  const provisioningDir = env.GF_PATHS_PROVISIONING ?? '/etc/grafana/provisioning';
  if (!mounts.some((m) => m.source === './grafana/provisioning' && m.target === provisioningDir && m.readOnly))
    problems.push(`${grafanaName}: deploy/grafana/provisioning is not mounted read-only at ${provisioningDir}`);
  const providerPaths = (provisioning.providers ?? []).map((p) => p.options?.path ?? '');
  const dashboardMounted = mounts.some(
    (m) =>
      m.readOnly &&
      ((m.source === './grafana/interview-mesh.json' && providerPaths.includes(path.posix.dirname(m.target))) ||
        (m.source === './grafana' && providerPaths.includes(m.target))),
  );
  if (!dashboardMounted)
    problems.push(`${grafanaName}: deploy/grafana/interview-mesh.json is not mounted read-only where a dashboard provider reads (${providerPaths.join(', ')})`);
  const dataDir = env.GF_PATHS_DATA ?? '/var/lib/grafana';
  if (!mounts.some((m) => m.target === dataDir && !isBindSource(m.source) && !m.readOnly))
    problems.push(`${grafanaName}: its data (${dataDir}) is not in a volume it writes`);
  const source = (provisioning.datasources ?? []).find((d) => d.isDefault);
  const url = source?.url ? new URL(source.url) : undefined;
  if (source?.type !== 'prometheus' || url?.hostname !== prometheusName || url.port !== '9090')
    problems.push(
      `${grafanaName}: its default data source (${source?.url ?? 'none'}) is not the Compose service ${prometheusName} (http://${prometheusName}:9090)`,
    );
  return problems;
}

/** OTLP's ports: gRPC and HTTP (OTEL_EXPORTER_OTLP_PROTOCOL grpc, else http/protobuf or http/json). */
const OTLP_PORTS = { grpc: '4317', http: '4318' };
/**
 * Where the environment `env` sends a process's traces, and what is wrong with that: the exporter
 * OTLP (OTEL_TRACES_EXPORTER unset or `otlp`), the SDK not disabled, an endpoint
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT) that is an http(s) URL on
 * the OTLP port of its protocol (4318 for HTTP, OpenTelemetry's default; 4317 for gRPC), the base
 * endpoint without a path of its own (the exporter appends /v1/traces to it).
 */
function otlpExportProblems(env: Partial<Record<string, string>>): { endpoint?: URL; problems: string[] } {
  const problems: string[] = [];
  if ((env.OTEL_SDK_DISABLED ?? '').toLowerCase() === 'true') problems.push('OTEL_SDK_DISABLED turns the traces off');
  if (![undefined, 'otlp'].includes(env.OTEL_TRACES_EXPORTER)) problems.push(`OTEL_TRACES_EXPORTER is ${env.OTEL_TRACES_EXPORTER}, not otlp`);
  const variable = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const value = env[variable];
  if (!value) return { problems: [...problems, 'exports no traces (no OTEL_EXPORTER_OTLP_ENDPOINT)'] };
  let endpoint: URL;
  try {
    endpoint = new URL(value);
  } catch {
    return { problems: [...problems, `${variable} ${value} is not a URL`] };
  }
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf') === 'grpc' ? 'grpc' : 'http';
  const port = endpoint.port || (endpoint.protocol === 'https:' ? '443' : '80');
  if (!['http:', 'https:'].includes(endpoint.protocol) || port !== OTLP_PORTS[protocol])
    problems.push(`${variable} ${value} is not OTLP/${protocol === 'grpc' ? 'gRPC' : 'HTTP'}'s port ${OTLP_PORTS[protocol]}`);
  if (variable === 'OTEL_EXPORTER_OTLP_ENDPOINT' && protocol === 'http' && endpoint.pathname !== '/')
    problems.push(`${variable} ${value} has a path: the exporter appends /v1/traces to it`);
  return { endpoint, problems };
}

/**
 * The Compose file's traces (issue 12): Jaeger v2 (jaegertracing/jaeger:2.x, its all-in-one taking
 * OTLP on 4317 and 4318) as a service, and every service of the mesh exporting its traces to it
 * (otlpExportProblems, the endpoint's host that service's name).
 */
function composeTracingProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const found = composeServiceOf(compose, OBSERVABILITY.jaeger.repository);
  if (!found) return ['no Jaeger service (jaegertracing/jaeger)'];
  const [jaegerName, jaeger] = found;
  if (
    !imageParts(jaeger.image ?? '')
      .tag.replace(/^v/, '')
      .startsWith(`${OBSERVABILITY.jaeger.major}.`)
  )
    problems.push(`${jaegerName}: image ${jaeger.image} is not Jaeger v${OBSERVABILITY.jaeger.major}`);
  for (const name of SERVICE_NAMES) {
    const service = compose.services[name] as ComposeService | undefined;
    if (!service) continue;
    const { endpoint, problems: exportProblems } = otlpExportProblems(composeEnvironment(service));
    problems.push(...exportProblems.map((problem) => `${name}: ${problem}`));
    if (endpoint && endpoint.hostname !== jaegerName) problems.push(`${name}: sends its traces to ${endpoint.host}, not the service ${jaegerName}`);
  }
  return problems;
}

/** A volume as a Compose service mounts it: short syntax (`source:target[:ro]`) and long alike. */
interface ComposeMount {
  source: string;
  target: string;
  readOnly: boolean;
  subpath?: string;
}
function composeMounts(service: ComposeService | undefined): ComposeMount[] {
  return (service?.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target, readOnly: v.read_only === true, subpath: v.volume?.subpath };
    const [source, target, mode = ''] = v.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

/** The workloads tls-init issues certificates for (its `--service=` list). */
const issuedCertificates = (compose: ComposeFile) =>
  (/--service=(\S+)/.exec((compose.services['tls-init'] as ComposeService | undefined)?.command?.join(' ') ?? '')?.[1] ?? '').split(',').filter(Boolean);

/** Whether `file` is the ca.crt of a directory of the volume tls that `service` mounts read-only. */
const mountsCaAt = (service: ComposeService, file: string | null | undefined) =>
  composeMounts(service).some((m) => m.source === 'tls' && m.readOnly && m.subpath !== undefined && file === `${m.target}/ca.crt`);

/** `key = value` lines of a RabbitMQ (sysctl-style) configuration, comments aside. */
const confSettings = (text: string) =>
  new Map(
    text
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]),
  );

/**
 * TLS to PostgreSQL in the Compose file (README, "Database roles"): PostgreSQL with `ssl=on`, its
 * certificate and key from its own directory of the volume tls (tls-init issues `postgres`), and
 * `hba_file` deploy/postgres/pg_hba.conf (`hba`), which lets no TCP connection in without TLS; every
 * client (db-provision's DATABASE_ADMIN_URL, each service's DATABASE_URL and <SERVICE>_DATABASE_URL)
 * with sslmode=verify-full and sslrootcert the mesh's CA certificate in a TLS directory it mounts
 * read-only (db-provision's the CA's alone, `ca`, which tls-init writes), after tls-init.
 */
function composeDatabaseTlsProblems(compose: ComposeFile, hba: string): string[] {
  const problems: string[] = [];
  const postgres = compose.services.postgres as ComposeService | undefined;
  if (!postgres) return ['no postgres service'];
  const settings = new Map(
    (postgres.command ?? []).filter((arg) => /^[a-z_]+=/.test(arg)).map((arg) => [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]),
  );
  if (settings.get('ssl') !== 'on') problems.push('postgres: ssl is not on');
  if (!settings.get('ssl_cert_file') || !settings.get('ssl_key_file')) problems.push('postgres: no ssl_cert_file or ssl_key_file');
  if (!issuedCertificates(compose).includes('postgres')) problems.push('tls-init issues no certificate for postgres');
  if (!composeMounts(postgres).some((m) => m.source === 'tls' && m.subpath === 'postgres' && m.readOnly))
    problems.push('postgres: does not mount its own directory of the volume tls (postgres), read-only');
  const hbaFile = settings.get('hba_file');
  if (!composeMounts(postgres).some((m) => m.source === './postgres/pg_hba.conf' && m.target === hbaFile && m.readOnly))
    problems.push('postgres: its hba_file is not deploy/postgres/pg_hba.conf');
  const rules = hba
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => line.split(/\s+/));
  for (const rule of rules) {
    if (['host', 'hostnossl', 'hostgssenc', 'hostnogssenc'].includes(rule[0]) && !rule.slice(4).includes('reject'))
      problems.push(`pg_hba.conf lets TCP connections in without TLS: ${rule.join(' ')}`);
  }
  if (!rules.some((rule) => rule[0] === 'hostssl')) problems.push('pg_hba.conf lets no TLS connection in (no hostssl line)');
  const tlsInit = compose.services['tls-init'] as ComposeService | undefined;
  const bundles = /--bundles=(\S+)/.exec(tlsInit?.command?.join(' ') ?? '')?.[1];
  const clients: [string, string[]][] = [
    ['db-provision', ['DATABASE_ADMIN_URL']],
    ...SERVICE_NAMES.map((name): [string, string[]] => [name, ['DATABASE_URL', serviceVariable(name, 'DATABASE_URL')]]),
  ];
  for (const [name, variables] of clients) {
    const service = compose.services[name] as ComposeService | undefined;
    if (!service) continue;
    if (service.depends_on?.['tls-init']?.condition !== 'service_completed_successfully') problems.push(`${name} does not wait for tls-init`);
    for (const variable of variables) {
      const value = composeEnvironment(service)[variable];
      if (!value) continue;
      // The host and what follows: the password (a ${VAR:?...}) may hold any character.
      const url = new URL(`postgres://${value.slice(value.lastIndexOf('@') + 1)}`);
      if (url.searchParams.get('sslmode') !== 'verify-full')
        problems.push(`${name}: ${variable} does not verify PostgreSQL's certificate (sslmode=verify-full)`);
      if (!mountsCaAt(service, url.searchParams.get('sslrootcert')))
        problems.push(`${name}: ${variable}'s sslrootcert is not the mesh's CA certificate in a TLS directory it mounts`);
    }
  }
  const provision = compose.services['db-provision'] as ComposeService | undefined;
  for (const mount of composeMounts(provision).filter((m) => m.source === 'tls' && m.subpath !== 'ca'))
    problems.push(`db-provision: mounts ${mount.subpath ? `the TLS directory ${mount.subpath}, a key with the CA's certificate` : 'the whole volume tls'}`);
  if (provision && !(tlsInit?.entrypoint ?? []).join(' ').includes(`${bundles}/ca/ca.crt`))
    problems.push("tls-init does not write the CA's certificate alone to the volume tls's directory ca");
  return problems;
}

/**
 * TLS to RabbitMQ in the Compose file: deploy/rabbitmq/rabbitmq.conf (`conf`) as its configuration,
 * with no plaintext AMQP listener (`listeners.tcp = none`) and a TLS one on 5671 with a certificate
 * and key, these copied by its entrypoint from its own directory of the volume tls (tls-init issues
 * `rabbitmq`); every service's AMQP_URL and <SERVICE>_AMQP_URL amqps:// to rabbitmq:5671, and its
 * AMQP_CA_FILE the mesh's CA certificate in a TLS directory it mounts read-only.
 */
function composeBrokerTlsProblems(compose: ComposeFile, conf: string): string[] {
  const problems: string[] = [];
  const rabbitmq = compose.services.rabbitmq as ComposeService | undefined;
  if (!rabbitmq) return ['no rabbitmq service'];
  if (!composeMounts(rabbitmq).some((m) => m.source === './rabbitmq/rabbitmq.conf' && m.target === '/etc/rabbitmq/rabbitmq.conf' && m.readOnly))
    problems.push('rabbitmq: deploy/rabbitmq/rabbitmq.conf is not its configuration (/etc/rabbitmq/rabbitmq.conf, read-only)');
  const settings = confSettings(conf);
  if (settings.get('listeners.tcp') !== 'none') problems.push('rabbitmq.conf: plaintext AMQP is on (listeners.tcp is not none)');
  if (settings.get('listeners.ssl.default') !== '5671') problems.push('rabbitmq.conf: no TLS listener on 5671 (listeners.ssl.default)');
  const keyFile = settings.get('ssl_options.keyfile');
  if (!settings.get('ssl_options.certfile') || !keyFile) problems.push('rabbitmq.conf: no ssl_options.certfile or ssl_options.keyfile');
  else if (!(rabbitmq.entrypoint ?? []).join(' ').includes(path.posix.dirname(keyFile)))
    problems.push('rabbitmq: its entrypoint does not put its key where ssl_options.keyfile says');
  if (!issuedCertificates(compose).includes('rabbitmq')) problems.push('tls-init issues no certificate for rabbitmq');
  if (!composeMounts(rabbitmq).some((m) => m.source === 'tls' && m.subpath === 'rabbitmq' && m.readOnly))
    problems.push('rabbitmq: does not mount its own directory of the volume tls (rabbitmq), read-only');
  for (const name of SERVICE_NAMES) {
    const service = compose.services[name] as ComposeService | undefined;
    if (!service) continue;
    const env = composeEnvironment(service);
    for (const variable of BROKER_SERVICES.includes(name) ? ['AMQP_URL', serviceVariable(name, 'AMQP_URL')] : []) {
      if (!/^amqps:\/\/[^@]*@rabbitmq:5671(\/.*)?$/.test(env[variable] ?? '')) problems.push(`${name}: ${variable} is not amqps:// to rabbitmq:5671`);
    }
    if (!mountsCaAt(service, env.AMQP_CA_FILE)) problems.push(`${name}: AMQP_CA_FILE is not the mesh's CA certificate in a TLS directory it mounts`);
  }
  return problems;
}

/**
 * The top-level settings of a Consul agent configuration's `acl` block (`hcl`): ACLs enabled,
 * denying by default, tokens set through the API kept.
 */
function consulAclConfigProblems(hcl: string): string[] {
  const block = /^acl\s*=?\s*\{([^}]*)\}/m.exec(hcl.replace(/#.*$/gm, ''))?.[1];
  if (block === undefined) return ['no acl block'];
  const setting = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*"?([^"\\s]+)"?\\s*$`, 'm').exec(block)?.[1];
  const problems: string[] = [];
  if (setting('enabled') !== 'true') problems.push('ACLs are not enabled');
  if (setting('default_policy') !== 'deny') problems.push('ACLs do not deny by default (default_policy is not "deny")');
  if (setting('enable_token_persistence') !== 'true') problems.push('tokens set through the API are not kept (enable_token_persistence)');
  return problems;
}

/**
 * Consul's ACLs in the Compose file (README, "Consul ACLs"): the agent not root (the image drops to
 * its user unless CONSUL_DISABLE_PERM_MGMT is set; CONSUL_UID and CONSUL_GID, if set, not 0),
 * deploy/consul/agent-acl.hcl (`aclHcl`) in its configuration (consulAclConfigProblems), its initial
 * management token a required ${VAR:?...}; a one-shot consul-provision running
 * scripts/consul/provision-acl.ts through mesh-consul-tokens with that token, after Consul, writing
 * to a volume it mounts, the resolver's token for the services with downstreams alone; every service
 * after it, reading its own token from its own directory of that volume (read-only,
 * CONSUL_TOKENS_ENV_FILE) and mounting no other's; and no token in any service's environment that is
 * not its own (another service's, CONSUL_HTTP_TOKEN, the resolver's for a service that resolves
 * nothing), the management token in none but Consul's and consul-provision's.
 */
function composeConsulProblems(compose: ComposeFile, aclHcl: string): string[] {
  const problems: string[] = [];
  const consul = compose.services.consul as ComposeService | undefined;
  if (!consul) return ['no consul service'];
  const consulEnv = composeEnvironment(consul);
  if ('CONSUL_DISABLE_PERM_MGMT' in consulEnv)
    problems.push("consul: runs as root (CONSUL_DISABLE_PERM_MGMT keeps the image's entrypoint from dropping to its user)");
  if (consul.user && /^(root|0)(:|$)/.test(consul.user)) problems.push(`consul: runs as ${consul.user}`);
  for (const variable of ['CONSUL_UID', 'CONSUL_GID']) {
    const value = consulEnv[variable];
    if (value !== undefined && !/^[1-9]\d*$/.test(value)) problems.push(`consul: ${variable} is ${value}, not a user other than root`);
  }
  if (!composeMounts(consul).some((m) => m.source === './consul/agent-acl.hcl' && m.target.startsWith('/consul/config/') && m.readOnly))
    problems.push('consul: deploy/consul/agent-acl.hcl is not in its configuration directory');
  problems.push(...consulAclConfigProblems(aclHcl).map((problem) => `deploy/consul/agent-acl.hcl: ${problem}`));
  let initialManagement: unknown;
  try {
    initialManagement = (JSON.parse(consulEnv.CONSUL_LOCAL_CONFIG ?? '{}') as { acl?: { tokens?: { initial_management?: unknown } } }).acl?.tokens
      ?.initial_management;
  } catch {
    problems.push('consul: CONSUL_LOCAL_CONFIG is not JSON');
  }
  const management = REQUIRED.exec(typeof initialManagement === 'string' ? initialManagement : '')?.[1];
  if (!management) problems.push('consul: its initial management token is not a required ${VAR:?...}');
  const holdsManagement = (service: ComposeService) =>
    management !== undefined && Object.values(composeEnvironment(service)).some((value) => (value ?? '').includes(`\${${management}:`));

  const provision = compose.services['consul-provision'] as ComposeService | undefined;
  if (!provision) return [...problems, 'no consul-provision service'];
  const run = [...(provision.entrypoint ?? []), ...(provision.command ?? [])];
  if (!run.includes('scripts/consul/provision-acl.ts')) problems.push('consul-provision does not run scripts/consul/provision-acl.ts');
  if (run[0] !== 'mesh-consul-tokens') problems.push('consul-provision does not hand the tokens out through mesh-consul-tokens: they would go to its log');
  const provisionEnv = composeEnvironment(provision);
  if (!management || REQUIRED.exec(provisionEnv.CONSUL_HTTP_TOKEN ?? '')?.[1] !== management)
    problems.push("consul-provision's CONSUL_HTTP_TOKEN is not Consul's management token");
  if (provision.depends_on?.consul?.condition !== 'service_healthy') problems.push('consul-provision does not wait for Consul');
  const tokens = composeMounts(provision).find((m) => m.target === provisionEnv.CONSUL_TOKENS_DIR && !m.subpath && !m.readOnly)?.source;
  if (!tokens) problems.push("consul-provision's CONSUL_TOKENS_DIR is not a volume it writes");
  const resolvers = (provisionEnv.CONSUL_RESOLVER_SERVICES ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .sort();
  if (resolvers.join() !== RESOLVERS.join())
    problems.push(
      `consul-provision gives the resolver's token to ${resolvers.join(', ') || 'no service'}, not ${RESOLVERS.join(', ')} (the services with downstreams)`,
    );

  for (const [name, service] of Object.entries(compose.services)) {
    if (name === 'consul' || name === 'consul-provision') continue;
    const mounted = composeMounts(service).filter((m) => tokens !== undefined && m.source === tokens);
    if (holdsManagement(service)) problems.push(`${name}: gets Consul's management token`);
    if (!SERVICE_NAMES.includes(name)) {
      if (mounted.length) problems.push(`${name}: mounts the services' Consul tokens`);
      continue;
    }
    if (service.depends_on?.['consul-provision']?.condition !== 'service_completed_successfully') problems.push(`${name} does not wait for consul-provision`);
    const env = composeEnvironment(service);
    if (!mounted.some((m) => m.subpath === name && m.readOnly && env.CONSUL_TOKENS_ENV_FILE === `${m.target}/consul-tokens.env`))
      problems.push(`${name}: does not read its own Consul token (its directory of ${tokens ?? 'the tokens volume'}, read-only, as CONSUL_TOKENS_ENV_FILE)`);
    for (const mount of mounted.filter((m) => m.subpath !== name))
      problems.push(`${name}: mounts ${mount.subpath ? `${mount.subpath}'s Consul token` : "every service's Consul token"}`);
    for (const variable of Object.keys(env)) {
      if (variable === 'CONSUL_HTTP_TOKEN') problems.push(`${name}: gets CONSUL_HTTP_TOKEN, a token for whichever service has none of its own`);
      else if (variable === 'CONSUL_RESOLVER_TOKEN' && !RESOLVERS.includes(name)) problems.push(`${name}: gets the resolver's Consul token, resolving nothing`);
      else if (variable.endsWith('_CONSUL_TOKEN') && variable !== serviceVariable(name, 'CONSUL_TOKEN'))
        problems.push(`${name}: gets ${variable}, another's Consul token`);
    }
  }
  return problems;
}

/**
 * What deploy/consul-tokens.sh (`output`: what it printed) wrote to `dir` from `tokens`: for each
 * service exactly `<dir>/<service>/consul-tokens.env` (mode 0600), holding its own
 * `<SERVICE>_CONSUL_TOKEN` and, for the RESOLVERS alone, `CONSUL_RESOLVER_TOKEN`; no token printed.
 */
function tokenHandOutProblems(dir: string, tokens: MeshConsulTokens, output: string): string[] {
  const problems: string[] = [];
  if ([...Object.values(tokens.services), tokens.resolver].some((secret) => output.includes(secret))) problems.push('a token is printed');
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  for (const name of names.filter((n) => !SERVICE_NAMES.includes(n))) problems.push(`${name}/ is written, for no service`);
  for (const name of SERVICE_NAMES) {
    const file = path.join(dir, name, 'consul-tokens.env');
    if (!fs.existsSync(file)) {
      problems.push(`${name} gets no token file`);
      continue;
    }
    if ((fs.statSync(file).mode & 0o077) !== 0) problems.push(`${name}'s token file is readable by others than its owner`);
    const expected: Partial<Record<string, string>> = { [serviceVariable(name, 'CONSUL_TOKEN')]: tokens.services[name] };
    if (RESOLVERS.includes(name)) expected.CONSUL_RESOLVER_TOKEN = tokens.resolver;
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const got = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    for (const [variable, value] of Object.entries(expected)) if (got[variable] !== value) problems.push(`${name} does not get ${variable}`);
    for (const [variable, value] of Object.entries(got)) {
      if (expected[variable] === undefined) problems.push(`${name} gets ${variable}`);
      else if (expected[variable] !== value) problems.push(`${name} gets a wrong ${variable}`);
    }
  }
  return problems;
}

/** What is wrong with the image deploy/Dockerfile builds: its base not pinned, or running as root. */
function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n').map((line) => line.trim());
  for (const line of lines.filter((l) => /^FROM\s/i.test(l))) {
    const pin = imagePinProblem(line.split(/\s+/)[1]);
    if (pin) problems.push(`base ${pin}`);
  }
  const user = lines
    .filter((l) => /^USER\s/i.test(l))
    .at(-1)
    ?.split(/\s+/)[1];
  if (!user) problems.push('no USER: the services would run as root');
  else if (['root', '0'].includes(user.split(':')[0])) problems.push(`USER ${user} is root`);
  else if (!/^[1-9]\d*(:[1-9]\d*)?$/.test(user)) problems.push(`USER ${user} is not numeric: runAsNonRoot cannot verify it`);
  return problems;
}

/**
 * What is wrong with deploy/Dockerfile.dockerignore (`ignore`), the image's build context: it must
 * leave out everything (`*`) but what the Dockerfile (`dockerfile`) copies, each of which it lets
 * in, and never let in .data/ (a development CA's key) or an .env file (the Compose secrets).
 */
function buildContextProblems(ignore: string, dockerfile: string): string[] {
  const problems: string[] = [];
  const patterns = ignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (patterns[0] !== '*') problems.push('the build context does not start from nothing (*)');
  const allowed = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/\/$/, ''));
  for (const entry of allowed) if (/(^|\/)(\.data|\.env)(\/|$)/.test(entry) || entry === '.') problems.push(`the build context lets in ${entry}`);
  for (const line of dockerfile.split('\n').filter((l) => /^COPY\s/.test(l) && !l.includes('--from'))) {
    const sources = line
      .split(/\s+/)
      .slice(1, -1)
      .filter((arg) => !arg.startsWith('--'));
    for (const source of sources.map((s) => s.replace(/\/$/, ''))) {
      if (!allowed.some((entry) => source === entry || source.startsWith(`${entry}/`)))
        problems.push(`the build context leaves out ${source}, which the Dockerfile copies`);
    }
  }
  return problems;
}

/** The objects of `documents` that run pods (Deployments, Jobs). */
const workloads = (documents: K8sObject[]) =>
  documents.filter((d): d is Workload => (d as { spec?: { template?: { spec?: unknown } } }).spec?.template?.spec !== undefined);

/**
 * Every pod of the manifests restricted (Pod Security Standards' "restricted", and more): not
 * root (runAsNonRoot, a non-zero user and group), RuntimeDefault seccomp, no service-account token,
 * and in each container a read-only root filesystem (only emptyDir volumes writable), no privilege
 * escalation, every capability dropped and none added, not privileged; each image pinned, the
 * mesh's at the package's version.
 */
function podSecurityProblems(documents: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const workload of workloads(documents)) {
    const pod = workload.spec.template.spec;
    if (pod.automountServiceAccountToken !== false) problems.push(`${workload.metadata.name}: mounts a service-account token`);
    const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      const where = `${workload.metadata.name}/${container.name}`;
      const own = container.securityContext ?? {};
      const inherited = pod.securityContext ?? {};
      const effective = <K extends keyof SecurityContext>(key: K) => own[key] ?? inherited[key];
      if (effective('runAsNonRoot') !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (!(Number(effective('runAsUser')) > 0)) problems.push(`${where}: runAsUser is not a non-zero user`);
      if (!(Number(effective('runAsGroup')) > 0)) problems.push(`${where}: runAsGroup is not a non-zero group`);
      if (effective('seccompProfile')?.type !== 'RuntimeDefault') problems.push(`${where}: seccompProfile is not RuntimeDefault`);
      if (own.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (own.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (own.privileged) problems.push(`${where}: privileged`);
      if (!own.capabilities?.drop?.includes('ALL')) problems.push(`${where}: capabilities are not all dropped`);
      if (own.capabilities?.add?.length) problems.push(`${where}: adds capabilities ${own.capabilities.add.join(', ')}`);
      for (const mount of container.volumeMounts ?? []) {
        if (!mount.readOnly && !volumes.get(mount.name)?.emptyDir) problems.push(`${where}: ${mount.mountPath} is writable and not an emptyDir`);
      }
      if (!(container.volumeMounts ?? []).some((m) => m.mountPath === '/tmp' && volumes.get(m.name)?.emptyDir))
        problems.push(`${where}: /tmp is not an emptyDir`);
      const pin = imagePinProblem(container.image);
      if (pin) problems.push(`${where}: ${pin}`);
      if (container.image.startsWith('interview-mesh:') && container.image !== MESH_IMAGE)
        problems.push(`${where}: image ${container.image} is not ${MESH_IMAGE}`);
    }
  }
  return problems;
}

/**
 * The manifests' credentials: none in them (no Secret object, no secret-named variable or URL with
 * a password written as a value, in a container or the ConfigMap), each service's DATABASE_URL and
 * <SERVICE>_DATABASE_URL from its own Secret mesh-db-<service> (which no other pod reads), and a
 * provisioning Job running provision-db with the administrator's URL from mesh-db-admin (which no
 * service reads) and each service's password from that service's Secret.
 */
function kubernetesCredentialProblems(documents: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const secret of documents.filter((d) => d.kind === 'Secret')) problems.push(`Secret ${secret.metadata.name} is in the manifests`);
  const literal = (where: string, name: string, value: string) => {
    if (SECRET_NAME.test(name)) problems.push(`${where}: ${name} is written in the manifest`);
    else if (urlPassword(value) !== undefined) problems.push(`${where}: ${name} has a password written in the manifest`);
  };
  for (const config of documents.filter((d): d is ConfigMap => d.kind === 'ConfigMap')) {
    for (const [name, value] of Object.entries(config.data)) literal(`ConfigMap ${config.metadata.name}`, name, value);
  }
  /** Which pods read each Secret. */
  const readers = new Map<string, Set<string>>();
  for (const workload of workloads(documents)) {
    for (const container of workload.spec.template.spec.containers) {
      for (const env of container.env ?? []) {
        if (env.value !== undefined) literal(`${workload.metadata.name}/${container.name}`, env.name, env.value);
        const ref = env.valueFrom?.secretKeyRef;
        if (ref) readers.set(ref.name, (readers.get(ref.name) ?? new Set()).add(workload.metadata.name));
      }
    }
  }
  const envOf = (name: string) => workloads(documents).find((w) => w.metadata.name === name)?.spec.template.spec.containers[0].env ?? [];
  for (const name of TABLELESS_SERVICES) {
    // Least privilege: a service keeping no tables reads no database Secret and has no URL.
    for (const urlVariable of ['DATABASE_URL', serviceVariable(name, 'DATABASE_URL')])
      if (envOf(name).some((e) => e.name === urlVariable)) problems.push(`${name}: has ${urlVariable}, keeping no tables`);
    if (readers.has(`mesh-db-${name}`)) problems.push(`mesh-db-${name} is read, for ${name}, which keeps no tables`);
  }
  for (const name of TABLE_SERVICES) {
    const env = envOf(name);
    for (const urlVariable of ['DATABASE_URL', serviceVariable(name, 'DATABASE_URL')]) {
      const ref = env.find((e) => e.name === urlVariable)?.valueFrom?.secretKeyRef;
      if (ref?.name !== `mesh-db-${name}` || ref.key !== 'database-url' || ref.optional) {
        problems.push(`${name}: ${urlVariable} is not from its own Secret (mesh-db-${name}, database-url)`);
      }
    }
    const strangers = [...(readers.get(`mesh-db-${name}`) ?? [])].filter((reader) => reader !== name && reader !== 'provision-db');
    if (strangers.length) problems.push(`mesh-db-${name} is read by ${strangers.join(', ')}`);
  }
  const job = workloads(documents).find((w) => w.kind === 'Job' && w.metadata.name === 'provision-db');
  if (!job) return [...problems, 'no provision-db Job'];
  const [container] = job.spec.template.spec.containers;
  if (![...(container.command ?? []), ...(container.args ?? [])].includes('provision-db')) problems.push('the Job provision-db does not run provision-db');
  const jobEnv = container.env ?? [];
  const admin = jobEnv.find((e) => e.name === 'DATABASE_ADMIN_URL')?.valueFrom?.secretKeyRef;
  if (admin?.name !== 'mesh-db-admin') problems.push("provision-db's DATABASE_ADMIN_URL is not from the Secret mesh-db-admin");
  const adminReaders = [...(readers.get('mesh-db-admin') ?? [])].filter((reader) => reader !== 'provision-db');
  if (adminReaders.length) problems.push(`mesh-db-admin is read by ${adminReaders.join(', ')}`);
  for (const name of TABLE_SERVICES) {
    const ref = jobEnv.find((e) => e.name === serviceVariable(name, 'DATABASE_PASSWORD'))?.valueFrom?.secretKeyRef;
    if (ref?.name !== `mesh-db-${name}` || ref.key !== 'password')
      problems.push(`provision-db's ${serviceVariable(name, 'DATABASE_PASSWORD')} is not from mesh-db-${name}`);
  }
  return problems;
}

/**
 * The manifests' broker users: each service's AMQP_URL and <SERVICE>_AMQP_URL from its own Secret
 * mesh-broker-<service> (its user mesh-<service>; no other pod reads it but the Job), no
 * AMQP_USER_PREFIX other than mesh-, and a Job provision-broker running scripts/broker/provision.ts
 * with the management API's URL from mesh-broker-admin (which no service reads) and each service's
 * password from that service's Secret.
 */
function kubernetesBrokerProblems(documents: K8sObject[]): string[] {
  const problems: string[] = [];
  /** Which pods read each Secret. */
  const readers = new Map<string, Set<string>>();
  for (const workload of workloads(documents)) {
    for (const env of workload.spec.template.spec.containers.flatMap((c) => c.env ?? [])) {
      const ref = env.valueFrom?.secretKeyRef;
      if (ref) readers.set(ref.name, (readers.get(ref.name) ?? new Set()).add(workload.metadata.name));
    }
  }
  const strangers = (secret: string, allowed: string[]) => [...(readers.get(secret) ?? [])].filter((reader) => !allowed.includes(reader));
  for (const config of documents.filter((d): d is ConfigMap => d.kind === 'ConfigMap')) {
    if (![undefined, 'mesh-'].includes(config.data.AMQP_USER_PREFIX)) problems.push(`ConfigMap ${config.metadata.name}: AMQP_USER_PREFIX is not mesh-`);
  }
  const envOf = (name: string) => workloads(documents).find((w) => w.metadata.name === name)?.spec.template.spec.containers[0].env ?? [];
  for (const name of BROKERLESS_SERVICES) {
    // Least privilege: a service with no events reads no broker Secret and has no URL.
    for (const urlVariable of ['AMQP_URL', serviceVariable(name, 'AMQP_URL')])
      if (envOf(name).some((e) => e.name === urlVariable)) problems.push(`${name}: has ${urlVariable}, with no events`);
    if (readers.has(`mesh-broker-${name}`)) problems.push(`mesh-broker-${name} is read, for ${name}, which has no events`);
  }
  for (const name of BROKER_SERVICES) {
    const env = envOf(name);
    for (const urlVariable of ['AMQP_URL', serviceVariable(name, 'AMQP_URL')]) {
      const ref = env.find((e) => e.name === urlVariable)?.valueFrom?.secretKeyRef;
      if (ref?.name !== `mesh-broker-${name}` || ref.key !== 'amqp-url' || ref.optional) {
        problems.push(`${name}: ${urlVariable} is not from its own Secret (mesh-broker-${name}, amqp-url)`);
      }
    }
    const prefix = env.find((e) => e.name === 'AMQP_USER_PREFIX');
    if (prefix && prefix.value !== 'mesh-') problems.push(`${name}: AMQP_USER_PREFIX is not mesh-`);
    const others = strangers(`mesh-broker-${name}`, [name, 'provision-broker']);
    if (others.length) problems.push(`mesh-broker-${name} is read by ${others.join(', ')}`);
  }
  const job = workloads(documents).find((w) => w.kind === 'Job' && w.metadata.name === 'provision-broker');
  if (!job) return [...problems, 'no provision-broker Job'];
  const [container] = job.spec.template.spec.containers;
  if (![...(container.command ?? []), ...(container.args ?? [])].includes('scripts/broker/provision.ts'))
    problems.push('the Job provision-broker does not run scripts/broker/provision.ts');
  const jobEnv = container.env ?? [];
  const admin = jobEnv.find((e) => e.name === 'RABBITMQ_MANAGEMENT_URL')?.valueFrom?.secretKeyRef;
  if (admin?.name !== 'mesh-broker-admin') problems.push("provision-broker's RABBITMQ_MANAGEMENT_URL is not from the Secret mesh-broker-admin");
  const adminReaders = strangers('mesh-broker-admin', ['provision-broker']);
  if (adminReaders.length) problems.push(`mesh-broker-admin is read by ${adminReaders.join(', ')}`);
  for (const name of BROKER_SERVICES) {
    const ref = jobEnv.find((e) => e.name === serviceVariable(name, 'AMQP_PASSWORD'))?.valueFrom?.secretKeyRef;
    if (ref?.name !== `mesh-broker-${name}` || ref.key !== 'password')
      problems.push(`provision-broker's ${serviceVariable(name, 'AMQP_PASSWORD')} is not from mesh-broker-${name}`);
  }
  return problems;
}

/** Which pods read each Secret, through their environment or a volume. */
function secretReaders(documents: K8sObject[]): Map<string, Set<string>> {
  const readers = new Map<string, Set<string>>();
  const read = (secret: string, reader: string) => readers.set(secret, (readers.get(secret) ?? new Set()).add(reader));
  for (const workload of workloads(documents)) {
    const pod = workload.spec.template.spec;
    for (const env of [...(pod.initContainers ?? []), ...pod.containers].flatMap((c) => c.env ?? [])) {
      if (env.valueFrom?.secretKeyRef) read(env.valueFrom.secretKeyRef.name, workload.metadata.name);
    }
    for (const volume of pod.volumes ?? []) if (volume.secret) read(volume.secret.secretName, workload.metadata.name);
  }
  return readers;
}

/** The Secret of the namespace consul that HashiCorp's Helm chart takes the initial management token from (config.yaml). */
const CONSUL_BOOTSTRAP_SECRET = 'consul-bootstrap-token';

/**
 * Consul's ACL tokens in the manifests (README, "Consul ACLs"): each service's
 * <SERVICE>_CONSUL_TOKEN from its own Secret mesh-consul-<service> (key token), which no other pod
 * reads; CONSUL_RESOLVER_TOKEN from mesh-consul-resolver for the services with downstreams, and for
 * no other; no pod with CONSUL_HTTP_TOKEN, another service's token or the resolver's without
 * resolving, none in the ConfigMap; and Consul's management token (the Secret
 * consul-bootstrap-token) read by no pod of the mesh.
 */
function kubernetesConsulProblems(documents: K8sObject[]): string[] {
  const problems: string[] = [];
  const readers = secretReaders(documents);
  const tokenVariable = (name: string) => name === 'CONSUL_HTTP_TOKEN' || name === 'CONSUL_RESOLVER_TOKEN' || name.endsWith('_CONSUL_TOKEN');
  for (const config of documents.filter((d): d is ConfigMap => d.kind === 'ConfigMap')) {
    for (const name of Object.keys(config.data).filter(tokenVariable)) problems.push(`ConfigMap ${config.metadata.name}: ${name} is every pod's`);
  }
  for (const workload of workloads(documents)) {
    const reader = workload.metadata.name;
    for (const { name } of workload.spec.template.spec.containers.flatMap((c) => c.env ?? []).filter((e) => tokenVariable(e.name))) {
      if (name === 'CONSUL_HTTP_TOKEN') problems.push(`${reader}: gets CONSUL_HTTP_TOKEN, a token for whichever service has none of its own`);
      else if (name === 'CONSUL_RESOLVER_TOKEN' && !RESOLVERS.includes(reader)) problems.push(`${reader}: gets the resolver's Consul token, resolving nothing`);
      else if (name !== 'CONSUL_RESOLVER_TOKEN' && name !== serviceVariable(reader, 'CONSUL_TOKEN'))
        problems.push(`${reader}: gets ${name}, another's Consul token`);
    }
  }
  const envOf = (name: string) => workloads(documents).find((w) => w.metadata.name === name)?.spec.template.spec.containers[0].env ?? [];
  const fromSecret = (env: EnvVar[], variable: string, secret: string) => {
    const ref = env.find((e) => e.name === variable)?.valueFrom?.secretKeyRef;
    return ref?.name === secret && ref.key === 'token' && !ref.optional;
  };
  for (const name of SERVICE_NAMES) {
    const env = envOf(name);
    const variable = serviceVariable(name, 'CONSUL_TOKEN');
    if (!fromSecret(env, variable, `mesh-consul-${name}`)) problems.push(`${name}: ${variable} is not from its own Secret (mesh-consul-${name}, token)`);
    if (RESOLVERS.includes(name) && !fromSecret(env, 'CONSUL_RESOLVER_TOKEN', 'mesh-consul-resolver'))
      problems.push(`${name}: CONSUL_RESOLVER_TOKEN is not from the Secret mesh-consul-resolver (token)`);
    const strangers = [...(readers.get(`mesh-consul-${name}`) ?? [])].filter((reader) => reader !== name);
    if (strangers.length) problems.push(`mesh-consul-${name} is read by ${strangers.join(', ')}`);
  }
  const resolverStrangers = [...(readers.get('mesh-consul-resolver') ?? [])].filter((reader) => !RESOLVERS.includes(reader));
  if (resolverStrangers.length) problems.push(`mesh-consul-resolver is read by ${resolverStrangers.join(', ')}`);
  const bootstrap = [...(readers.get(CONSUL_BOOTSTRAP_SECRET) ?? [])];
  if (bootstrap.length) problems.push(`${CONSUL_BOOTSTRAP_SECRET}, Consul's management token, is read by ${bootstrap.join(', ')}`);
  return problems;
}

/**
 * TLS to PostgreSQL and RabbitMQ in the manifests, whose URLs are in Secrets they do not hold: what
 * is checked is what the URLs rely on and what the manifests tell to put in them. Each service's
 * AMQP_CA_FILE (its own, else the ConfigMap's) is the ca.crt of its own Secret mesh-tls-<service>,
 * mounted read-only; each provisioning Job mounts the CA's certificate read-only at the same path
 * (provision-broker also trusting it for an https:// management URL: NODE_EXTRA_CA_CERTS); and the
 * URLs provision-db.yaml and provision-broker.yaml (`texts`, by file name) tell to create are
 * postgres:// with sslmode=verify-full and sslrootcert that path, amqps:// to port 5671.
 */
function kubernetesTlsClientProblems(documents: K8sObject[], texts: Record<string, string>): string[] {
  const problems: string[] = [];
  const config: Partial<Record<string, string>> = Object.fromEntries(
    documents.filter((d): d is ConfigMap => d.kind === 'ConfigMap').flatMap((c) => Object.entries(c.data)),
  );
  const caFiles = new Set<string>();
  for (const name of SERVICE_NAMES) {
    const workload = workloads(documents).find((w) => w.metadata.name === name);
    if (!workload) continue;
    const pod = workload.spec.template.spec;
    const [container] = pod.containers;
    const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
    const caFile = container.env?.find((e) => e.name === 'AMQP_CA_FILE')?.value ?? config.AMQP_CA_FILE;
    const own = container.volumeMounts?.find((m) => m.readOnly && volumes.get(m.name)?.secret?.secretName === `mesh-tls-${name}`);
    if (!own || caFile !== `${own.mountPath}/ca.crt`) problems.push(`${name}: AMQP_CA_FILE is not the ca.crt of its own Secret mesh-tls-${name}`);
    else caFiles.add(caFile);
  }
  if (caFiles.size !== 1) return [...problems, `the services find the mesh's CA certificate at ${caFiles.size} places, not one`];
  const [caFile] = caFiles;
  for (const job of ['provision-db', 'provision-broker']) {
    const workload = workloads(documents).find((w) => w.kind === 'Job' && w.metadata.name === job);
    if (!workload) continue;
    const pod = workload.spec.template.spec;
    const [container] = pod.containers;
    const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
    const ca = container.volumeMounts?.find((m) => m.mountPath === path.posix.dirname(caFile));
    const source = ca && volumes.get(ca.name);
    if (!ca?.readOnly || !(source?.configMap || source?.secret))
      problems.push(`${job}: does not mount the mesh's CA certificate, read-only, at ${path.posix.dirname(caFile)}`);
    if (job === 'provision-broker' && container.env?.find((e) => e.name === 'NODE_EXTRA_CA_CERTS')?.value !== caFile)
      problems.push("provision-broker: NODE_EXTRA_CA_CERTS is not the mesh's CA certificate");
  }
  for (const url of (texts['provision-db.yaml'] ?? '').match(/postgres:\/\/[^\s'"]+/g) ?? []) {
    const query = new URLSearchParams(url.slice(url.indexOf('?') + 1 || url.length));
    if (query.get('sslmode') !== 'verify-full' || query.get('sslrootcert') !== caFile)
      problems.push(`provision-db.yaml says to create ${url}: not sslmode=verify-full with sslrootcert=${caFile}`);
  }
  for (const url of (texts['provision-broker.yaml'] ?? '').match(/amqps?:\/\/[^\s'"]+/g) ?? []) {
    if (!/^amqps:\/\/[^@]+@[^:/]+:5671(\/.*)?$/.test(url)) problems.push(`provision-broker.yaml says to create ${url}: not amqps:// to port 5671`);
  }
  return problems;
}

/**
 * What is wrong with the manifests' metrics and traces (issue 12): the ConfigMap's METRICS_PORT
 * 9464 (DEFAULT_METRICS_PORT, what the annotations and PodMonitors name) and BIND_HOST not
 * loopback; each service's pods annotated prometheus.io/scrape "true", prometheus.io/port its
 * metrics port (its own METRICS_PORT, else the ConfigMap's) and prometheus.io/path /metrics, its
 * container naming that port `metrics` (TCP); the ConfigMap exporting traces over OTLP
 * (otlpExportProblems); and no workload of the manifests running Prometheus (the cluster's own
 * scrapes the mesh).
 */
function kubernetesObservabilityProblems(documents: K8sObject[]): string[] {
  const problems: string[] = [];
  const config = documents.find((d): d is ConfigMap => d.kind === 'ConfigMap' && d.metadata.name === 'interview-mesh');
  if (!config) return ['no ConfigMap interview-mesh'];
  const where = `ConfigMap ${config.metadata.name}`;
  const data: Partial<Record<string, string>> = config.data;
  if (data.METRICS_PORT !== String(DEFAULT_METRICS_PORT)) problems.push(`${where}: METRICS_PORT is not ${DEFAULT_METRICS_PORT}`);
  if (LOOPBACK.test(data.BIND_HOST ?? '')) problems.push(`${where}: BIND_HOST ${data.BIND_HOST} keeps the metrics from Prometheus`);
  problems.push(...otlpExportProblems(data).problems.map((problem) => `${where}: ${problem}`));
  for (const name of SERVICE_NAMES) {
    const deployment = documents.find((d): d is Deployment => d.kind === 'Deployment' && d.metadata.name === name);
    if (!deployment) continue;
    const [container] = deployment.spec.template.spec.containers;
    const port = container.env?.find((e) => e.name === 'METRICS_PORT')?.value ?? data.METRICS_PORT ?? String(DEFAULT_METRICS_PORT);
    const annotations = deployment.spec.template.metadata?.annotations ?? {};
    const expected = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': port, 'prometheus.io/path': '/metrics' };
    for (const [key, value] of Object.entries(expected)) {
      if (annotations[key] !== value) problems.push(`${name}: its pods are not annotated ${key}: "${value}"`);
    }
    const named = container.ports?.find((p) => p.name === 'metrics');
    if (named?.containerPort !== Number(port) || (named.protocol ?? 'TCP') !== 'TCP') problems.push(`${name}: no container port metrics (${port}, TCP)`);
  }
  for (const workload of workloads(documents)) {
    for (const container of workload.spec.template.spec.containers) {
      if (/(^|\/)prometheus$/.test(imageParts(container.image).repository))
        problems.push(`${workload.metadata.name}: runs Prometheus (the cluster's own scrapes the mesh)`);
    }
  }
  return problems;
}

/**
 * The manifests' report links (README, "Reports"): the interview service's HTTPS port
 * (INTERVIEW_HTTPS_PORT, its own else the ConfigMap's, 8443) its container port `https` (TCP) and a
 * port `https` of its Service; the links' origin (INTERVIEW_REPORT_BASE_URL) https:// on the
 * Service's port, not the pod's address the service would fall back on; their key
 * (INTERVIEW_REPORT_LINK_KEY_FILE) in the Secret REPORT_LINK_SECRET, mounted read-only at the
 * file's directory, the same for every replica, and read by no other pod.
 */
function kubernetesReportLinkProblems(documents: K8sObject[]): string[] {
  const problems: string[] = [];
  const deployment = documents.find((d): d is Deployment => d.kind === 'Deployment' && d.metadata.name === 'interview');
  if (!deployment) return ['no Deployment interview'];
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  const config: Partial<Record<string, string>> = Object.fromEntries(
    documents.filter((d): d is ConfigMap => d.kind === 'ConfigMap').flatMap((c) => Object.entries(c.data)),
  );
  const value = (name: string) => container.env?.find((e) => e.name === name)?.value ?? config[name];
  const port = Number(value('INTERVIEW_HTTPS_PORT') ?? DEFAULT_HTTPS_PORT);
  if (port !== HTTPS_PORTS.interview) problems.push(`interview: INTERVIEW_HTTPS_PORT is ${port}, not ${HTTPS_PORTS.interview}`);
  const named = container.ports?.find((p) => p.name === 'https');
  if (named?.containerPort !== port || (named.protocol ?? 'TCP') !== 'TCP') problems.push(`interview: no container port https (${port}, TCP)`);
  const service = documents.find((d): d is Service => d.kind === 'Service' && d.metadata.name === 'interview');
  const servicePort = service?.spec.ports.find((p) => p.name === 'https' && (p.targetPort === 'https' || p.targetPort === port));
  if (!servicePort) problems.push('the Service interview has no port https to the container port https');
  const base = value('INTERVIEW_REPORT_BASE_URL');
  const url = base && URL.canParse(base) ? new URL(base) : undefined;
  if (url?.protocol !== 'https:' || (servicePort && Number(url.port || 443) !== servicePort.port))
    problems.push(
      `interview: INTERVIEW_REPORT_BASE_URL (${base ?? 'unset'}) is not https:// on the Service's port https: the links would name the pod's address`,
    );
  const keyFile = value('INTERVIEW_REPORT_LINK_KEY_FILE');
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  const mount = keyFile ? container.volumeMounts?.find((m) => m.mountPath === path.posix.dirname(keyFile)) : undefined;
  if (!keyFile) problems.push('interview: INTERVIEW_REPORT_LINK_KEY_FILE is not set: each pod would sign with a key of its own');
  else if (!mount?.readOnly || volumes.get(mount.name)?.secret?.secretName !== REPORT_LINK_SECRET)
    problems.push(`interview: INTERVIEW_REPORT_LINK_KEY_FILE (${keyFile}) is not in the Secret ${REPORT_LINK_SECRET}, mounted read-only at its directory`);
  const strangers = [...(secretReaders(documents).get(REPORT_LINK_SECRET) ?? [])].filter((reader) => reader !== 'interview');
  if (strangers.length) problems.push(`${REPORT_LINK_SECRET} is read by ${strangers.join(', ')}`);
  return problems;
}

/** A pod that opens connections, for the NetworkPolicies: its namespace (none: outside the cluster) and labels. */
interface Peer {
  name: string;
  namespace?: string;
  labels: Labels;
}
/** A port that connections are opened to (a pod's, with its named ports; no namespace: outside the cluster). */
interface Destination extends Peer {
  port: number;
  protocol?: 'TCP' | 'UDP';
  namedPorts: Record<string, number>;
}
/** The namespace the manifests are applied in (they name none): any name other than consul's. */
const MESH_NAMESPACE = 'interview-mesh';
/** Consul's agents, where config.yaml's CONSUL_HTTP_ADDR says the servers are (HashiCorp's Helm chart's labels). */
const CONSUL_AGENT: Peer = { name: 'a Consul server', namespace: 'consul', labels: { app: 'consul', component: 'server' } };
/** The cluster's Prometheus, as network-policies.yaml expects it (kube-prometheus's namespace and labels). */
const PROMETHEUS: Peer = { name: 'Prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
/** The OTLP receiver the traces go to, as config.yaml and network-policies.yaml expect it (Jaeger v2, in `observability`). */
const OTLP_RECEIVER = { namespace: 'observability', labels: { 'app.kubernetes.io/name': 'jaeger' } };

/** Whether `selector` takes `labels`: every matchLabels pair and every matchExpressions requirement (In, NotIn, Exists, DoesNotExist, as Kubernetes reads them). */
function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  const expressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key] as string | undefined;
    if (operator === 'In') return value !== undefined && values.includes(value);
    if (operator === 'NotIn') return value === undefined || !values.includes(value);
    if (operator === 'Exists') return value !== undefined;
    if (operator === 'DoesNotExist') return value === undefined;
    throw new Error(`matchExpressions: unknown operator ${operator}`);
  });
  return expressions && Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

/** The directions a policy isolates: its policyTypes, else Ingress, and Egress if it has egress rules (Kubernetes' default). */
const policyTypes = (policy: NetworkPolicy) => policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];

/** Whether a rule's `ports` let a connection to `to` through: none, every port; a named port is the destination pod's. */
function portAllowed(ports: PolicyPort[] | undefined, to: Destination): boolean {
  return (
    !ports?.length ||
    ports.some((p) => {
      if ((p.protocol ?? 'TCP') !== (to.protocol ?? 'TCP')) return false;
      if (p.port === undefined) return true;
      const port = typeof p.port === 'number' ? p.port : (to.namedPorts[p.port] as number | undefined);
      return port !== undefined && to.port >= port && to.port <= (p.endPort ?? port);
    })
  );
}

/**
 * Whether a rule's peers (`from` of an ingress rule, `to` of an egress rule) of `policy` take the
 * pod `peer`: none, anyone; else any of them, a peer's namespace and pod selectors both applying, a
 * pod selector alone meaning the policy's namespace. An ipBlock is taken to match anyone.
 */
function peerAllowed(peers: PolicyPeer[] | undefined, policy: NetworkPolicy, peer: Peer): boolean {
  return (
    !peers?.length ||
    peers.some((p) => {
      if (p.ipBlock) return true;
      if (peer.namespace === undefined) return false;
      const namespaceAllowed = p.namespaceSelector
        ? selects(p.namespaceSelector, { 'kubernetes.io/metadata.name': peer.namespace })
        : peer.namespace === (policy.metadata.namespace ?? MESH_NAMESPACE);
      return namespaceAllowed && selects(p.podSelector, peer.labels);
    })
  );
}

/** The policies of `policies` that select `pod` for `direction` (Ingress, Egress); none for a peer outside the cluster. */
const selecting = (policies: NetworkPolicy[], direction: string, pod: Peer) =>
  pod.namespace === undefined
    ? []
    : policies.filter(
        (p) => (p.metadata.namespace ?? MESH_NAMESPACE) === pod.namespace && selects(p.spec.podSelector, pod.labels) && policyTypes(p).includes(direction),
      );

/**
 * Whether the destination's ingress policies let `from` in to `to`, as Kubernetes decides: a pod
 * no policy selects for ingress takes everything, one that some select what any of their rules
 * allows (its peers, on its ports).
 */
function ingressAllows(policies: NetworkPolicy[], from: Peer, to: Destination): boolean {
  const ingress = selecting(policies, 'Ingress', to);
  return (
    ingress.length === 0 ||
    ingress.some((policy) => (policy.spec.ingress ?? []).some((rule) => portAllowed(rule.ports, to) && peerAllowed(rule.from, policy, from)))
  );
}

/** Whether the source's egress policies let `from` connect to `to`: likewise, for the pods they select for egress. */
function egressAllows(policies: NetworkPolicy[], from: Peer, to: Destination): boolean {
  const egress = selecting(policies, 'Egress', from);
  return (
    egress.length === 0 || egress.some((policy) => (policy.spec.egress ?? []).some((rule) => portAllowed(rule.ports, to) && peerAllowed(rule.to, policy, to)))
  );
}

/**
 * The NetworkPolicies against the mesh's edges, for every pair of peers and each direction on its
 * own (a connection needs both; checking each alone catches a policy too open on one side that the
 * other still masks). The peers: the mesh's pods (each Deployment's and the provisioning Jobs'),
 * Consul's servers, Prometheus (PROMETHEUS), another pod of its namespace, pods labelled as
 * Prometheus in the mesh's namespace and in another, a pod of the namespace that is not the mesh's,
 * a pod of another namespace, a client outside the cluster.
 * Ingress, what each destination lets in: a public service's port anyone, and so every HTTPS port
 * (HTTPS_PORTS: the interview service's report links, the gateway's REST and WebSocket API, which
 * no pod of the mesh connects to); another service's port (the gateway's gRPC port included)
 * its callers (the services declaring it a downstream) and Consul (its health checks) only; each
 * service's metrics port (9464, the container port `metrics`) Prometheus alone; another port of a
 * service's pod, no one; PostgreSQL and RabbitMQ's AMQP over TLS the mesh's pods but the gateway (RabbitMQ's
 * plaintext AMQP no one, its management port the Job provision-broker alone), Consul's HTTP API the
 * mesh's pods and Consul's own; a pod of the namespace that nothing opens, no one (ingress denied by
 * default); what is not the mesh's (the DNS, the OTLP receiver, ...), anyone: its policies are not
 * these.
 * Egress, where each of the mesh's pods may connect: its downstreams' gRPC ports (the interview
 * service's; the gateway's, the interview and auth services'), PostgreSQL and RabbitMQ's AMQP over
 * TLS (not the gateway, which uses neither; its management API the Job provision-broker alone),
 * Consul's HTTP API, the cluster's DNS (kube-dns, 53 over UDP and TCP) and the OTLP
 * receiver (OTLP_RECEIVER, 4317 and 4318); nowhere else (not a public service's port, a metrics
 * port, the receiver's other ports or another pod of its namespace, Prometheus, a pod of another
 * namespace, an address outside the cluster). The peers that are not the mesh's, anywhere.
 */
function networkPolicyProblems(documents: K8sObject[]): string[] {
  const policies = documents.filter((d): d is NetworkPolicy => d.kind === 'NetworkPolicy');
  const meshPods = workloads(documents).map((w) => ({ workload: w, labels: w.spec.template.metadata?.labels ?? {} }));
  const mesh: Peer[] = meshPods.map(({ workload, labels }) => ({ name: workload.metadata.name, namespace: MESH_NAMESPACE, labels }));
  const stranger: Peer = { name: "a pod of the namespace not the mesh's", namespace: MESH_NAMESPACE, labels: { 'app.kubernetes.io/name': 'stranger' } };
  const elsewhere: Peer = { name: 'a pod of another namespace', namespace: 'elsewhere', labels: {} };
  const outside: Peer = { name: 'a client outside the cluster', labels: {} };
  const monitoring: Peer = {
    name: 'another pod of the namespace monitoring',
    namespace: PROMETHEUS.namespace,
    labels: { 'app.kubernetes.io/name': 'grafana' },
  };
  const prometheusHere: Peer = { name: "a pod labelled as Prometheus in the mesh's namespace", namespace: MESH_NAMESPACE, labels: PROMETHEUS.labels };
  const prometheusElsewhere: Peer = { name: 'a pod labelled as Prometheus in another namespace', namespace: 'elsewhere', labels: PROMETHEUS.labels };
  const others = [CONSUL_AGENT, PROMETHEUS, monitoring, prometheusHere, prometheusElsewhere, stranger, elsewhere, outside];
  const everyone = [...mesh, ...others];
  const meshNames = mesh.map((p) => p.name);
  const everyoneNames = everyone.map((p) => p.name);
  /** Each destination, who its ingress lets in and which of the mesh's pods may connect to it. */
  const expectations: { to: Destination; ingress: string[]; egress: string[] }[] = [];
  for (const name of SERVICE_NAMES) {
    const pod = meshPods.find((p) => p.workload.metadata.name === name);
    if (!pod) continue;
    const namedPorts = Object.fromEntries(pod.workload.spec.template.spec.containers.flatMap((c) => c.ports ?? []).map((p) => [p.name ?? '', p.containerPort]));
    const base = { name, namespace: MESH_NAMESPACE, labels: pod.labels, namedPorts };
    const ingress = PUBLIC_SERVICES.includes(name) ? everyoneNames : [...CALLERS[name], CONSUL_AGENT.name];
    expectations.push({ to: { ...base, port: DEFAULT_PORTS[name] }, ingress, egress: CALLERS[name] });
    const https = HTTPS_PORTS[name];
    if (https !== undefined) expectations.push({ to: { ...base, name: `${name} (https)`, port: https }, ingress: everyoneNames, egress: [] });
    expectations.push({ to: { ...base, name: `${name} (metrics)`, port: DEFAULT_METRICS_PORT }, ingress: [PROMETHEUS.name], egress: [] });
    expectations.push({ to: { ...base, name: `${name} (another port)`, port: 9229 }, ingress: [], egress: [] });
  }
  const pod = (name: string, labels: Labels, port: number, namespace = MESH_NAMESPACE, protocol?: 'UDP'): Destination => ({
    name,
    namespace,
    labels,
    port,
    protocol,
    namedPorts: {},
  });
  const rabbitmq = { 'app.kubernetes.io/name': 'rabbitmq' };
  // The gateway keeps no tables and publishes nothing: no database role, no broker user, no route to either.
  const datastoreUsers = meshNames.filter((name) => name !== 'gateway');
  expectations.push({ to: pod('postgresql', { 'app.kubernetes.io/name': 'postgresql' }, 5432), ingress: datastoreUsers, egress: datastoreUsers });
  expectations.push({ to: pod('rabbitmq', rabbitmq, 5671), ingress: datastoreUsers, egress: datastoreUsers });
  expectations.push({ to: pod('rabbitmq (plaintext AMQP)', rabbitmq, 5672), ingress: [], egress: [] });
  expectations.push({ to: pod('rabbitmq (management)', rabbitmq, 15672), ingress: ['provision-broker'], egress: ['provision-broker'] });
  expectations.push({ to: pod('consul', CONSUL_AGENT.labels, 8500, 'consul'), ingress: [...meshNames, CONSUL_AGENT.name], egress: meshNames });
  expectations.push({ to: pod('a pod of the namespace', stranger.labels, 8080), ingress: [], egress: [] });
  // Not the mesh's: anyone gets in, as far as these policies go; the mesh's pods where their egress lets them.
  const dns = { 'k8s-app': 'kube-dns' };
  expectations.push({ to: pod('the DNS (UDP)', dns, 53, 'kube-system', 'UDP'), ingress: everyoneNames, egress: meshNames });
  expectations.push({ to: pod('the DNS (TCP)', dns, 53, 'kube-system'), ingress: everyoneNames, egress: meshNames });
  for (const port of [4317, 4318]) {
    expectations.push({ to: pod('the OTLP receiver', OTLP_RECEIVER.labels, port, OTLP_RECEIVER.namespace), ingress: everyoneNames, egress: meshNames });
  }
  expectations.push({ to: pod("the OTLP receiver's UI", OTLP_RECEIVER.labels, 16686, OTLP_RECEIVER.namespace), ingress: everyoneNames, egress: [] });
  const observabilityPod = pod('another pod of the namespace observability', { 'app.kubernetes.io/name': 'other' }, 4318, OTLP_RECEIVER.namespace);
  expectations.push({ to: observabilityPod, ingress: everyoneNames, egress: [] });
  expectations.push({ to: pod('Prometheus', PROMETHEUS.labels, 9090, PROMETHEUS.namespace), ingress: everyoneNames, egress: [] });
  expectations.push({ to: pod('a pod of another namespace', {}, 8080, 'elsewhere'), ingress: everyoneNames, egress: [] });
  expectations.push({ to: { name: 'an address outside the cluster', labels: {}, port: 443, namedPorts: {} }, ingress: everyoneNames, egress: [] });
  const problems: string[] = [];
  for (const { to, ingress, egress } of expectations) {
    const where = `${to.name}:${to.port}`;
    for (const peer of everyone) {
      const lets = ingressAllows(policies, peer, to);
      if (lets && !ingress.includes(peer.name)) problems.push(`${where} lets in ${peer.name}`);
      if (!lets && ingress.includes(peer.name)) problems.push(`${where} does not let in ${peer.name}`);
      const may = egressAllows(policies, peer, to);
      const expected = !meshNames.includes(peer.name) || egress.includes(peer.name);
      if (may && !expected) problems.push(`${peer.name} may connect to ${where}`);
      if (!may && expected) problems.push(`${peer.name} may not connect to ${where}`);
    }
  }
  return problems;
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

    it('runs Consul, PostgreSQL, RabbitMQ, Prometheus, Grafana, Jaeger and every service registered in Consul, emotion with replicas', async () => {
      const [compose] = (await loadYaml('deploy/docker-compose.yml')) as [ComposeFile];
      expect(Object.keys(compose.services).sort()).toEqual([
        'auth',
        'broker-provision',
        'consul',
        'consul-provision',
        'db-provision',
        'emotion',
        'gateway',
        'grafana',
        'integrity',
        'interview',
        'jaeger',
        'notifier',
        'postgres',
        'prometheus',
        'rabbitmq',
        'scoring',
        'tls-init',
      ]);
      for (const name of SERVICE_NAMES) {
        const service = compose.services[name];
        expect(service.command).toEqual(['--services', name]);
        expect(service.environment).toMatchObject<Record<string, unknown>>({ CONSUL_HTTP_ADDR: 'http://consul:8500' });
        if (TABLE_SERVICES.includes(name)) expect(service.environment!.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
        if (BROKER_SERVICES.includes(name)) expect(service.environment!.AMQP_URL).toMatch(/^amqps:\/\/.*@rabbitmq:5671$/);
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

    const COMPOSE = 'deploy/docker-compose.yml';
    /** The Compose file `file` (the real one by default), parsed and as text. */
    const composeOf = async (file = COMPOSE) => {
      const [compose] = (await loadYaml(file)) as [ComposeFile];
      return { compose, text: fs.readFileSync(path.resolve(REPO, file), 'utf8') };
    };
    const envExample = () => fs.readFileSync(path.join(REPO, 'deploy/.env.example'), 'utf8');

    it('holds no credential and defaults none: every secret a required ${VAR:?...}, listed empty in deploy/.env.example', async () => {
      const problems = async (file?: string, example = envExample()) => {
        const { compose, text } = await composeOf(file);
        return composeCredentialProblems(compose, text, example);
      };
      expect(await problems()).toEqual([]);
      // A password written in the file.
      expect(await problems(broken(COMPOSE, 'RABBITMQ_DEFAULT_PASS: ${RABBITMQ_PASSWORD:?see deploy/.env.example}', 'RABBITMQ_DEFAULT_PASS: mesh'))).toEqual([
        'rabbitmq: RABBITMQ_DEFAULT_PASS is not a required ${VAR:?...}',
      ]);
      // A default for one.
      expect(await problems(broken(COMPOSE, /\$\{POSTGRES_PASSWORD:\?[^}]*\}/g, '${POSTGRES_PASSWORD:-mesh}'))).toEqual(
        expect.arrayContaining([
          '${POSTGRES_PASSWORD:-mesh} is not required (${VAR:?...}): a default or an empty value when unset',
          'postgres: POSTGRES_PASSWORD is not a required ${VAR:?...}',
          'db-provision: DATABASE_ADMIN_URL has a password written in the file',
        ]),
      );
      // A password in a URL.
      expect(await problems(broken(COMPOSE, /mesh_scoring:\$\{SCORING_DATABASE_PASSWORD:\?[^}]*\}@/, 'mesh_scoring:scoring@'))).toEqual([
        'scoring: DATABASE_URL has a password written in the file',
        'scoring: SCORING_DATABASE_URL has a password written in the file',
      ]);
      // A secret empty when unset.
      expect(await problems(broken(COMPOSE, /\$\{AUTH_INTERVIEWER_INVITATION_CODE:\?[^}]*\}/, '${AUTH_INTERVIEWER_INVITATION_CODE}'))).toEqual(
        expect.arrayContaining([
          '${AUTH_INTERVIEWER_INVITATION_CODE} is not required (${VAR:?...}): a default or an empty value when unset',
          'auth: AUTH_INTERVIEWER_INVITATION_CODE is not a required ${VAR:?...}',
        ]),
      );
      // deploy/.env.example with a value, or without a variable.
      expect(await problems(undefined, envExample().replace(/^POSTGRES_PASSWORD=$/m, 'POSTGRES_PASSWORD=mesh'))).toEqual([
        'deploy/.env.example gives POSTGRES_PASSWORD a value',
      ]);
      expect(await problems(undefined, envExample().replace(/^AUTH_DATABASE_PASSWORD=\n/m, ''))).toEqual([
        'deploy/.env.example does not list AUTH_DATABASE_PASSWORD',
      ]);
    });

    it('provisions a PostgreSQL role per service first (db-provision), and each service logs in as its own', async () => {
      const problems = async (file?: string) => composeRoleProblems((await composeOf(file)).compose);
      expect(await problems()).toEqual([]);
      expect(
        await problems(broken(COMPOSE, 'postgres://mesh_scoring:${SCORING_DATABASE_PASSWORD', 'postgres://mesh_interview:${INTERVIEW_DATABASE_PASSWORD')),
      ).toEqual([
        'scoring: DATABASE_URL is not its own role (mesh_scoring, SCORING_DATABASE_PASSWORD)',
        'scoring: SCORING_DATABASE_URL is not its own role (mesh_scoring, SCORING_DATABASE_PASSWORD)',
      ]);
      expect(await problems(broken(COMPOSE, '    db-provision: { condition: service_completed_successfully }\n', ''))).toEqual(
        TABLE_SERVICES.map((name) => `${name} does not wait for db-provision`),
      );
      expect(await problems(broken(COMPOSE, /^ +NOTIFIER_DATABASE_PASSWORD: .*\n/m, ''))).toEqual(['db-provision does not take NOTIFIER_DATABASE_PASSWORD']);
      // The gateway, which keeps no tables, given a role and a URL: least privilege undone.
      expect(
        await problems(
          broken(
            COMPOSE,
            '      GATEWAY_HTTPS_PORT: "8080"\n',
            '      GATEWAY_HTTPS_PORT: "8080"\n      DATABASE_URL: postgres://mesh_gateway:${GATEWAY_DATABASE_PASSWORD:?x}@postgres:5432/mesh\n',
          ),
        ),
      ).toEqual(['gateway: has DATABASE_URL, keeping no tables']);
      expect(
        await problems(
          broken(COMPOSE, '      AUTH_DATABASE_PASSWORD:', '      GATEWAY_DATABASE_PASSWORD: ${GATEWAY_DATABASE_PASSWORD:?x}\n      AUTH_DATABASE_PASSWORD:'),
        ),
      ).toEqual(['db-provision takes GATEWAY_DATABASE_PASSWORD: gateway keeps no tables']);
      expect(await problems(broken(COMPOSE, 'postgres://mesh:${POSTGRES_PASSWORD', 'postgres://mesh:${RABBITMQ_PASSWORD'))).toEqual([
        "db-provision's DATABASE_ADMIN_URL is not PostgreSQL's superuser with POSTGRES_PASSWORD",
      ]);
    });

    it('provisions a RabbitMQ user per service first (broker-provision), and each service connects as its own, none shared', async () => {
      const problems = async (file?: string) => composeBrokerProblems((await composeOf(file)).compose);
      expect(await problems()).toEqual([]);
      // A service on another's user: both its URLs, and the user shared.
      expect(await problems(broken(COMPOSE, 'amqps://mesh-scoring:${SCORING_AMQP_PASSWORD', 'amqps://mesh-interview:${INTERVIEW_AMQP_PASSWORD'))).toEqual([
        'scoring: AMQP_URL is not its own broker user (mesh-scoring, SCORING_AMQP_PASSWORD)',
        'scoring: SCORING_AMQP_URL is not its own broker user (mesh-scoring, SCORING_AMQP_PASSWORD)',
        'scoring and interview share the broker user mesh-interview',
      ]);
      // A service as the administrator.
      expect(await problems(broken(COMPOSE, 'amqps://mesh-auth:${AUTH_AMQP_PASSWORD', 'amqps://mesh:${RABBITMQ_PASSWORD'))).toEqual([
        'auth: AMQP_URL is not its own broker user (mesh-auth, AUTH_AMQP_PASSWORD)',
        'auth: AUTH_AMQP_URL is not its own broker user (mesh-auth, AUTH_AMQP_PASSWORD)',
        "auth connects as RabbitMQ's administrator mesh",
      ]);
      expect(await problems(broken(COMPOSE, '    broker-provision: { condition: service_completed_successfully }\n', ''))).toEqual(
        BROKER_SERVICES.map((name) => `${name} does not wait for broker-provision`),
      );
      expect(await problems(broken(COMPOSE, /^ +NOTIFIER_AMQP_PASSWORD: .*\n/m, ''))).toEqual(['broker-provision does not take NOTIFIER_AMQP_PASSWORD']);
      // The gateway, which has no events, given a broker user.
      expect(
        await problems(
          broken(
            COMPOSE,
            '      GATEWAY_HTTPS_PORT: "8080"\n',
            '      GATEWAY_HTTPS_PORT: "8080"\n      AMQP_URL: amqps://mesh-gateway:${GATEWAY_AMQP_PASSWORD:?x}@rabbitmq:5671\n',
          ),
        ),
      ).toEqual(['gateway: has AMQP_URL, with no events']);
      expect(await problems(broken(COMPOSE, '@rabbitmq:15672', '@rabbitmq:5672'))).toEqual([
        "broker-provision's RABBITMQ_MANAGEMENT_URL is not RabbitMQ's administrator at rabbitmq:15672",
      ]);
      expect(await problems(broken(COMPOSE, 'image: rabbitmq:3.13.7-management', 'image: rabbitmq:3.13.7'))).toEqual([
        'rabbitmq: its image has no management plugin (a -management tag)',
      ]);
      expect(await problems(broken(COMPOSE, /\n {2}broker-provision:\n( {4}.*\n|\n)*?(?= {2}\S)/, '\n'))).toEqual(['no broker-provision service']);
    });

    it("talks to PostgreSQL over TLS alone, verifying its certificate, the mesh CA's for postgres (sslmode=verify-full)", async () => {
      const hba = () => fs.readFileSync(path.join(REPO, 'deploy/postgres/pg_hba.conf'), 'utf8');
      const problems = async (file?: string, hbaText = hba()) => composeDatabaseTlsProblems((await composeOf(file)).compose, hbaText);
      expect(await problems()).toEqual([]);
      // A service not verifying the server's certificate.
      expect(await problems(broken(COMPOSE, /(mesh_scoring:[^\n]*)sslmode=verify-full/, '$1sslmode=require'))).toEqual([
        "scoring: DATABASE_URL does not verify PostgreSQL's certificate (sslmode=verify-full)",
        "scoring: SCORING_DATABASE_URL does not verify PostgreSQL's certificate (sslmode=verify-full)",
      ]);
      // The administrator's URL trusting CAs other than the mesh's.
      expect(
        await problems(
          broken(COMPOSE, /(postgres:\/\/mesh:[^\n]*)sslrootcert=\/app\/\.data\/tls\/ca\.crt/, '$1sslrootcert=/etc/ssl/certs/ca-certificates.crt'),
        ),
      ).toEqual(["db-provision: DATABASE_ADMIN_URL's sslrootcert is not the mesh's CA certificate in a TLS directory it mounts"]);
      // db-provision given a workload's key along with the CA's certificate.
      expect(await problems(broken(COMPOSE, 'read_only: true, volume: { subpath: ca } }', 'read_only: true, volume: { subpath: operator } }'))).toEqual([
        "db-provision: mounts the TLS directory operator, a key with the CA's certificate",
      ]);
      // No certificate for the server, or TLS off.
      expect(await problems(broken(COMPOSE, ',consul,postgres,rabbitmq', ',consul,rabbitmq'))).toEqual(['tls-init issues no certificate for postgres']);
      expect(await problems(broken(COMPOSE, '      - ssl=on\n', '      - ssl=off\n'))).toEqual(['postgres: ssl is not on']);
      // Plaintext let in.
      expect(await problems(undefined, hba().replace(/^host +all +all +all +reject$/m, 'host all all all scram-sha-256'))).toEqual([
        'pg_hba.conf lets TCP connections in without TLS: host all all all scram-sha-256',
      ]);
      expect(await problems(broken(COMPOSE, '      - ./postgres/pg_hba.conf:/etc/postgresql/pg_hba.conf:ro\n', ''))).toEqual([
        'postgres: its hba_file is not deploy/postgres/pg_hba.conf',
      ]);
    });

    it('talks to RabbitMQ over TLS alone (amqps:// verified against AMQP_CA_FILE), its plaintext listener off (deploy/rabbitmq/rabbitmq.conf)', async () => {
      const conf = () => fs.readFileSync(path.join(REPO, 'deploy/rabbitmq/rabbitmq.conf'), 'utf8');
      const problems = async (file?: string, confText = conf()) => composeBrokerTlsProblems((await composeOf(file)).compose, confText);
      expect(await problems()).toEqual([]);
      expect(
        await problems(
          broken(
            COMPOSE,
            'amqps://mesh-notifier:${NOTIFIER_AMQP_PASSWORD:?see deploy/.env.example}@rabbitmq:5671',
            'amqp://mesh-notifier:${NOTIFIER_AMQP_PASSWORD:?see deploy/.env.example}@rabbitmq:5672',
          ),
        ),
      ).toEqual(['notifier: AMQP_URL is not amqps:// to rabbitmq:5671', 'notifier: NOTIFIER_AMQP_URL is not amqps:// to rabbitmq:5671']);
      expect(await problems(broken(COMPOSE, '    AMQP_CA_FILE: /app/.data/tls/ca.crt\n', ''))).toEqual(
        SERVICE_NAMES.map((name) => `${name}: AMQP_CA_FILE is not the mesh's CA certificate in a TLS directory it mounts`),
      );
      expect(await problems(undefined, conf().replace('listeners.tcp = none', 'listeners.tcp.default = 5672'))).toEqual([
        'rabbitmq.conf: plaintext AMQP is on (listeners.tcp is not none)',
      ]);
      expect(await problems(broken(COMPOSE, '      - ./rabbitmq/rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf:ro\n', ''))).toEqual([
        'rabbitmq: deploy/rabbitmq/rabbitmq.conf is not its configuration (/etc/rabbitmq/rabbitmq.conf, read-only)',
      ]);
      expect(await problems(broken(COMPOSE, ',consul,postgres,rabbitmq', ',consul,postgres'))).toEqual(['tls-init issues no certificate for rabbitmq']);
    });

    it("runs Consul with ACLs denying by default, not as root, and consul-provision giving each service a token of its own, the management token no service's", async () => {
      const acl = () => fs.readFileSync(path.join(REPO, 'deploy/consul/agent-acl.hcl'), 'utf8');
      const problems = async (file?: string, aclText = acl()) => composeConsulProblems((await composeOf(file)).compose, aclText);
      expect(await problems()).toEqual([]);
      // As root.
      expect(await problems(broken(COMPOSE, '      CONSUL_UID: "1000"\n', '      CONSUL_UID: "0"\n      CONSUL_DISABLE_PERM_MGMT: "true"\n'))).toEqual([
        "consul: runs as root (CONSUL_DISABLE_PERM_MGMT keeps the image's entrypoint from dropping to its user)",
        'consul: CONSUL_UID is 0, not a user other than root',
      ]);
      // ACLs allowing by default, or not loaded.
      expect(await problems(undefined, acl().replace(/default_policy( *)= "deny"/, 'default_policy$1= "allow"'))).toEqual([
        'deploy/consul/agent-acl.hcl: ACLs do not deny by default (default_policy is not "deny")',
      ]);
      expect(await problems(broken(COMPOSE, '      - ./consul/agent-acl.hcl:/consul/config/agent-acl.hcl:ro\n', ''))).toEqual([
        'consul: deploy/consul/agent-acl.hcl is not in its configuration directory',
      ]);
      // A management token written in the file.
      expect(
        await problems(broken(COMPOSE, '"initial_management": "${CONSUL_MANAGEMENT_TOKEN:?see deploy/.env.example}"', '"initial_management": "root"')),
      ).toEqual([
        'consul: its initial management token is not a required ${VAR:?...}',
        "consul-provision's CONSUL_HTTP_TOKEN is not Consul's management token",
      ]);
      // Every service given the management token.
      const withManagement = broken(
        COMPOSE,
        '    CONSUL_HTTP_ADDR: http://consul:8500\n    CONSUL_CHECK_INTERVAL_MS',
        '    CONSUL_HTTP_ADDR: http://consul:8500\n    CONSUL_HTTP_TOKEN: ${CONSUL_MANAGEMENT_TOKEN:?see deploy/.env.example}\n    CONSUL_CHECK_INTERVAL_MS',
      );
      expect((await problems(withManagement)).sort()).toEqual(
        SERVICE_NAMES.flatMap((name) => [
          `${name}: gets Consul's management token`,
          `${name}: gets CONSUL_HTTP_TOKEN, a token for whichever service has none of its own`,
        ]).sort(),
      );
      // A service reading another's token.
      expect(
        await problems(
          broken(
            COMPOSE,
            'source: consul-tokens, target: /app/.data/consul, read_only: true, volume: { subpath: scoring } }',
            'source: consul-tokens, target: /app/.data/consul, read_only: true, volume: { subpath: interview } }',
          ),
        ),
      ).toEqual([
        'scoring: does not read its own Consul token (its directory of consul-tokens, read-only, as CONSUL_TOKENS_ENV_FILE)',
        "scoring: mounts interview's Consul token",
      ]);
      // The resolver's token handed to every service.
      expect(
        await problems(
          broken(COMPOSE, 'CONSUL_RESOLVER_SERVICES: interview scoring gateway', 'CONSUL_RESOLVER_SERVICES: interview emotion scoring notifier auth gateway'),
        ),
      ).toEqual([
        `consul-provision gives the resolver's token to auth, emotion, gateway, interview, notifier, scoring, not ${RESOLVERS.join(', ')} (the services with downstreams)`,
      ]);
      // The tokens left to the one-shot's log, or no one-shot at all.
      expect(await problems(broken(COMPOSE, 'entrypoint: ["mesh-consul-tokens", "node"', 'entrypoint: ["node"'))).toEqual([
        'consul-provision does not hand the tokens out through mesh-consul-tokens: they would go to its log',
      ]);
      expect(await problems(broken(COMPOSE, /\n {2}consul-provision:\n( {4}.*\n|\n)*?(?= {2}\S)/, '\n'))).toEqual(['no consul-provision service']);
    });

    it("hands each service its own Consul token and nothing else, printing none (deploy/consul-tokens.sh, then the image's entrypoint)", async () => {
      const { compose } = await composeOf();
      const resolverServices = composeEnvironment(compose.services['consul-provision']).CONSUL_RESOLVER_SERVICES ?? '';
      const tokens: MeshConsulTokens = { services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, randomUUID()])), resolver: randomUUID() };
      // What `npm run consul:provision` prints on stdout (consulTokenEnv, as scripts/consul/provision-acl.ts does), progress on stderr.
      const printed = Object.entries(consulTokenEnv(tokens))
        .map(([name, value]) => `${name}=${value}`)
        .join('\n');
      const handOut = async (script = 'deploy/consul-tokens.sh') => {
        const dir = path.join(fs.mkdtempSync(path.join(scratch, 'consul-tokens-')), 'out');
        const provision = 'echo "[consul:provision] policies and tokens" >&2; printf "%s\\n" "$PRINTED"';
        const { code, output } = await runCaptured('sh', [path.resolve(REPO, script), 'sh', '-c', provision], {
          env: { PATH: process.env.PATH, PRINTED: printed, CONSUL_TOKENS_DIR: dir, CONSUL_RESOLVER_SERVICES: resolverServices },
        });
        expect({ code, output: code ? output : '' }).toEqual({ code: 0, output: '' });
        return tokenHandOutProblems(dir, tokens, output);
      };
      expect(await handOut()).toEqual([]);
      const CONSUL_TOKENS = 'deploy/consul-tokens.sh';
      expect(await handOut(broken(CONSUL_TOKENS, 'case " $resolvers " in *" $service "*)', 'case " $service " in *)'))).toEqual(
        SERVICE_NAMES.filter((name) => !RESOLVERS.includes(name)).map((name) => `${name} gets CONSUL_RESOLVER_TOKEN`),
      );
      expect(await handOut(broken(CONSUL_TOKENS, 'tokens=$("$@")\n', 'tokens=$("$@")\necho "$tokens"\n'))).toEqual(['a token is printed']);
      expect(await handOut(broken(CONSUL_TOKENS, `printf '%s\\n' "$line"`, `printf '%s\\n' "$tokens"`))).toEqual(
        expect.arrayContaining(['emotion gets SCORING_CONSUL_TOKEN', 'emotion gets CONSUL_RESOLVER_TOKEN']),
      );

      // The image's entrypoint exports the token lines of its CONSUL_TOKENS_ENV_FILE, nothing else of it;
      // `node`, which it execs, is a stand-in printing its environment.
      const bin = path.join(scratch, 'stand-in-bin');
      fs.mkdirSync(bin, { recursive: true });
      fs.writeFileSync(path.join(bin, 'node'), '#!/bin/sh\nenv\n', { mode: 0o755 });
      const tokenFile = path.join(scratch, 'emotion-consul-tokens.env');
      fs.writeFileSync(
        tokenFile,
        `EMOTION_CONSUL_TOKEN=${tokens.services.emotion}\nNODE_OPTIONS=--require /tmp/evil.js\nCONSUL_RESOLVER_TOKEN=${tokens.resolver}`,
      );
      const exported = async (entrypoint = 'deploy/docker-entrypoint.sh', file = tokenFile) => {
        const { code, output } = await runCaptured('sh', [path.resolve(REPO, entrypoint), '--services', 'emotion'], {
          env: { PATH: `${bin}:${process.env.PATH ?? ''}`, ADVERTISE_HOST: '10.0.0.1', CONSUL_TOKENS_ENV_FILE: file },
        });
        const lines = output.split('\n').filter((line) => /^(NODE_OPTIONS|[A-Z_]*CONSUL_[A-Z_]*TOKEN)=/.test(line));
        return { code, exported: Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])) };
      };
      expect(await exported()).toEqual({ code: 0, exported: { EMOTION_CONSUL_TOKEN: tokens.services.emotion, CONSUL_RESOLVER_TOKEN: tokens.resolver } });
      expect(await exported(broken('deploy/docker-entrypoint.sh', 'CONSUL_RESOLVER_TOKEN | *_CONSUL_TOKEN)', '*)'))).toEqual({
        code: 0,
        exported: { EMOTION_CONSUL_TOKEN: tokens.services.emotion, CONSUL_RESOLVER_TOKEN: tokens.resolver, NODE_OPTIONS: '--require /tmp/evil.js' },
      });
      // Named but missing: the start fails.
      expect((await exported(undefined, path.join(scratch, 'missing.env'))).code).toBe(1);
    });

    it("publishes only the public ports (gRPC, the interview service's HTTPS), pins every image, and confines the mesh's containers", async () => {
      const problems = async (file?: string) => composeExposureProblems((await composeOf(file)).compose);
      expect(await problems()).toEqual([]);
      // A management port published.
      expect(await problems(broken(COMPOSE, '    image: hashicorp/consul:1.22.2\n', '    image: hashicorp/consul:1.22.2\n    ports: ["8500:8500"]\n'))).toEqual(
        ['consul publishes port 8500'],
      );
      expect(await problems(broken(COMPOSE, 'ports: ["50051:50051", "8443:8443"]', 'ports: ["50051:50051", "8443:8443", "9229:9229"]'))).toEqual([
        'interview publishes port 9229',
      ]);
      // An HTTPS port the service does not serve (the report links are the interview service's).
      expect(await problems(broken(COMPOSE, 'ports: ["50055:50055"]', 'ports: ["50055:50055", "8443:8443"]'))).toEqual(['auth publishes port 8443']);
      // The gateway's gRPC port (health only, internal) published beside its HTTPS port.
      expect(await problems(broken(COMPOSE, 'ports: ["8080:8080"]', 'ports: ["8080:8080", "50058:50058"]'))).toEqual(['gateway publishes port 50058']);
      // RabbitMQ's management API published.
      expect(
        await problems(broken(COMPOSE, '    image: rabbitmq:3.13.7-management\n', '    image: rabbitmq:3.13.7-management\n    ports: ["15672:15672"]\n')),
      ).toEqual(['rabbitmq publishes port 15672']);
      // Images not pinned.
      expect(await problems(broken(COMPOSE, 'image: rabbitmq:3.13.7-management', 'image: rabbitmq:3.13-management'))).toEqual([
        'rabbitmq: image rabbitmq:3.13-management is not pinned to a version (x.y.z)',
      ]);
      expect(await problems(broken(COMPOSE, 'image: postgres:15.15-bookworm', 'image: postgres'))).toEqual(['postgres: image postgres has no tag']);
      expect(await problems(broken(COMPOSE, 'image: postgres:15.15-bookworm', 'image: postgres:15-bookworm'))).toEqual([
        'postgres: image postgres:15-bookworm is not pinned to a version (x.y)',
      ]);
      expect(await problems(broken(COMPOSE, `image: ${MESH_IMAGE}`, 'image: interview-mesh:latest'))).toEqual(
        expect.arrayContaining(['emotion: image interview-mesh:latest is latest', `emotion: image interview-mesh:latest is not ${MESH_IMAGE}`]),
      );
      // Confinement undone.
      expect(await problems(broken(COMPOSE, 'read_only: true', 'read_only: false'))).toEqual(
        expect.arrayContaining(['emotion: the root filesystem is not read-only']),
      );
      expect(await problems(broken(COMPOSE, 'cap_drop: [ALL]', 'cap_drop: [NET_RAW]'))).toEqual(
        expect.arrayContaining(['tls-init: capabilities are not all dropped']),
      );
      expect(await problems(broken(COMPOSE, 'security_opt: ["no-new-privileges:true"]', 'security_opt: []'))).toEqual(
        expect.arrayContaining(['db-provision: privileges may escalate']),
      );
      // The observability stack's UIs published, or its images not pinned.
      expect(await problems(broken(COMPOSE, '    image: grafana/grafana:12.1.1\n', '    image: grafana/grafana:12.1.1\n    ports: ["3000:3000"]\n'))).toEqual([
        'grafana publishes port 3000',
      ]);
      expect(
        await problems(
          broken(COMPOSE, '    image: jaegertracing/jaeger:2.13.0\n', '    image: jaegertracing/jaeger:2.13.0\n    ports: ["16686:16686", "4318:4318"]\n'),
        ),
      ).toEqual(['jaeger publishes port 16686', 'jaeger publishes port 4318']);
      expect(await problems(broken(COMPOSE, '    image: prom/prometheus:v2.53.5\n', '    image: prom/prometheus:v2.53.5\n    ports: ["9090:9090"]\n'))).toEqual(
        ['prometheus publishes port 9090'],
      );
      expect(await problems(broken(COMPOSE, 'image: prom/prometheus:v2.53.5', 'image: prom/prometheus:latest'))).toEqual([
        'prometheus: image prom/prometheus:latest is latest',
      ]);
      expect(await problems(broken(COMPOSE, 'image: jaegertracing/jaeger:2.13.0', 'image: jaegertracing/jaeger:2'))).toEqual([
        'jaeger: image jaegertracing/jaeger:2 is not pinned to a version (x.y.z)',
      ]);
      // The observability stack unconfined: as root, writable, with capabilities, escalating.
      expect(await problems(broken(COMPOSE, '    user: "10001:10001"\n', '    user: "0:0"\n'))).toEqual([
        'jaeger: does not run as a user of its own other than root (user)',
      ]);
      expect(await problems(broken(COMPOSE, '    user: "472"\n', ''))).toEqual(['grafana: does not run as a user of its own other than root (user)']);
      expect(await problems(broken(COMPOSE, /(image: grafana\/grafana:\S+\n(?:.*\n)*?) {4}read_only: true\n {4}tmpfs: \[\/tmp\]\n/, '$1'))).toEqual([
        'grafana: the root filesystem is not read-only',
        'grafana: /tmp is not a tmpfs',
      ]);
      expect(await problems(broken(COMPOSE, /(image: prom\/prometheus:\S+\n(?:.*\n)*?) {4}cap_drop: \[ALL\]\n {4}security_opt: .*\n/, '$1'))).toEqual([
        'prometheus: capabilities are not all dropped',
        'prometheus: privileges may escalate',
      ]);
      // Its configuration mounted writable.
      expect(await problems(broken(COMPOSE, './prometheus:/etc/prometheus:ro', './prometheus:/etc/prometheus'))).toEqual([
        'prometheus: mounts ./prometheus writable',
      ]);
    });

    it("serves the report links on the interview service's HTTPS port, published as its gRPC port, signed with a key its replicas share", async () => {
      const problems = async (file?: string) => composeReportLinkProblems((await composeOf(file)).compose);
      expect(await problems()).toEqual([]);
      // The port not published, or at another port of the host than the links name.
      expect(await problems(broken(COMPOSE, 'ports: ["50051:50051", "8443:8443"]', 'ports: ["50051:50051"]'))).toEqual([
        'interview does not publish its HTTPS port 8443 (8443:8443, as its gRPC port)',
      ]);
      expect(await problems(broken(COMPOSE, '"8443:8443"', '"443:8443"'))).toEqual([
        'interview does not publish its HTTPS port 8443 (8443:8443, as its gRPC port)',
      ]);
      // Links naming the container's address, or plain HTTP.
      expect(await problems(broken(COMPOSE, /^ +INTERVIEW_REPORT_BASE_URL: .*\n/m, ''))).toEqual([
        "interview: INTERVIEW_REPORT_BASE_URL (unset) is not https:// on the published port 8443: the links would name the container's address",
      ]);
      expect(await problems(broken(COMPOSE, 'INTERVIEW_REPORT_BASE_URL: https://localhost:8443', 'INTERVIEW_REPORT_BASE_URL: http://localhost:8443'))).toEqual([
        "interview: INTERVIEW_REPORT_BASE_URL (http://localhost:8443) is not https:// on the published port 8443: the links would name the container's address",
      ]);
      // No key file: a key per replica; or the key on the read-only root filesystem, in a path of the host, shared with another service.
      expect(await problems(broken(COMPOSE, /^ +INTERVIEW_REPORT_LINK_KEY_FILE: .*\n/m, ''))).toEqual([
        'interview: INTERVIEW_REPORT_LINK_KEY_FILE is not set: each replica would sign with a key of its own',
      ]);
      expect(await problems(broken(COMPOSE, '      - report-link-key:/app/.data/report-link\n', ''))).toEqual([
        'interview: INTERVIEW_REPORT_LINK_KEY_FILE (/app/.data/report-link/report-link.key) is not in a named volume of its own, mounted writable at its directory',
      ]);
      expect(await problems(broken(COMPOSE, '- report-link-key:/app/.data/report-link', '- ./report-link:/app/.data/report-link'))).toEqual([
        'interview: INTERVIEW_REPORT_LINK_KEY_FILE (/app/.data/report-link/report-link.key) is not in a named volume of its own, mounted writable at its directory',
      ]);
      expect(
        await problems(
          broken(
            COMPOSE,
            '      - { type: volume, source: consul-tokens, target: /app/.data/consul, read_only: true, volume: { subpath: scoring } }\n',
            '      - { type: volume, source: consul-tokens, target: /app/.data/consul, read_only: true, volume: { subpath: scoring } }\n      - report-link-key:/app/.data/report-link:ro\n',
          ),
        ),
      ).toEqual(["scoring: mounts the report links' key (the volume report-link-key)"]);
    });

    const PROMETHEUS_CONFIG = 'deploy/prometheus/prometheus.yml';
    const GRAFANA_PROVISIONING = ['deploy/grafana/provisioning/datasources/prometheus.yml', 'deploy/grafana/provisioning/dashboards/interview-mesh.yml'];

    it('runs Prometheus 2 on deploy/prometheus (read-only), scraping every service of the mesh at its Compose name on METRICS_PORT 9464, and Grafana provisioned with it, its password required', async () => {
      /** The validator's findings on `file` (the Compose file), `config` (prometheus.yml) and `provisioning` (Grafana's files), the real ones by default. */
      const problems = async (file?: string, config = PROMETHEUS_CONFIG, provisioning = GRAFANA_PROVISIONING) => {
        const { compose } = await composeOf(file);
        const [prometheusConfig] = (await loadYaml(config)) as [PrometheusConfig];
        const grafana = Object.assign(
          {},
          ...(await Promise.all(provisioning.map(async (f) => ((await loadYaml(f)) as [GrafanaProvisioning])[0]))),
        ) as GrafanaProvisioning;
        return composeMonitoringProblems(compose, prometheusConfig, grafana);
      };
      expect(await problems()).toEqual([]);
      // Prometheus 3, whose rules the alert tests did not run on.
      expect(await problems(broken(COMPOSE, 'image: prom/prometheus:v2.53.5', 'image: prom/prometheus:v3.5.0'))).toEqual([
        "prometheus: image prom/prometheus:v3.5.0 is not Prometheus 2 (alerts.yml's tests ran on promtool 2.42)",
      ]);
      // deploy/prometheus not where the configuration is read, or the TSDB on the read-only root filesystem.
      expect(await problems(broken(COMPOSE, './prometheus:/etc/prometheus:ro', './prometheus:/etc/prometheus/conf.d:ro'))).toEqual([
        'prometheus: deploy/prometheus is not mounted read-only where its configuration is read (/etc/prometheus)',
      ]);
      expect(await problems(broken(COMPOSE, '      - prometheus-data:/prometheus\n', ''))).toEqual([
        'prometheus: its TSDB (/prometheus) is not in a volume it writes',
      ]);
      // A service serving its metrics elsewhere than prometheus.yml scrapes, or out of reach.
      expect((await problems(broken(COMPOSE, '    METRICS_PORT: "9464"\n', '    METRICS_PORT: "9465"\n'))).sort()).toEqual(
        SERVICE_NAMES.flatMap((name) => [
          `${name}: METRICS_PORT is 9465, not 9464`,
          `prometheus.yml does not scrape ${name} at ${name}:9465 alone (a job named ${name})`,
          `prometheus.yml (job ${name}) scrapes ${name}:9464, not ${name}'s metrics port`,
        ]).sort(),
      );
      expect(await problems(broken(COMPOSE, '    BIND_HOST: 0.0.0.0\n', '    BIND_HOST: 127.0.0.1\n'))).toEqual(
        SERVICE_NAMES.map((name) => `${name}: BIND_HOST 127.0.0.1 keeps its metrics from Prometheus`),
      );
      // prometheus.yml scraping a name no Compose service has, or a service's gRPC port, or missing one.
      expect(await problems(undefined, broken(PROMETHEUS_CONFIG, '      - names: [scoring]', '      - names: [scorer]'))).toEqual([
        'prometheus.yml does not scrape scoring at scoring:9464 alone (a job named scoring)',
        'prometheus.yml (job scoring) scrapes scorer:9464: no Compose service scorer',
      ]);
      expect(await problems(undefined, broken(PROMETHEUS_CONFIG, /(names: \[emotion\]\n\s+type: A\n\s+)port: 9464/, '$1port: 50052'))).toEqual([
        'prometheus.yml does not scrape emotion at emotion:9464 alone (a job named emotion)',
        "prometheus.yml (job emotion) scrapes emotion:50052, not emotion's metrics port",
      ]);
      expect(await problems(undefined, broken(PROMETHEUS_CONFIG, /\n {2}- job_name: notifier\n( {4}.*\n)+/, '\n'))).toEqual([
        'prometheus.yml does not scrape notifier at notifier:9464 alone (a job named notifier)',
      ]);
      // Grafana: its password defaulted, anonymous access, its provisioning or dashboard not mounted, its data source elsewhere.
      expect(await problems(broken(COMPOSE, /GF_SECURITY_ADMIN_PASSWORD: .*/, 'GF_SECURITY_ADMIN_PASSWORD: admin'))).toEqual([
        'grafana: GF_SECURITY_ADMIN_PASSWORD is not a required ${VAR:?...}',
      ]);
      expect(await problems(broken(COMPOSE, 'GF_AUTH_ANONYMOUS_ENABLED: "false"', 'GF_AUTH_ANONYMOUS_ENABLED: "true"'))).toEqual([
        'grafana: anonymous access is on',
      ]);
      expect(
        await problems(broken(COMPOSE, './grafana/provisioning:/etc/grafana/provisioning:ro', './grafana/provisioning:/etc/grafana/provisioning')),
      ).toEqual(['grafana: deploy/grafana/provisioning is not mounted read-only at /etc/grafana/provisioning']);
      expect(
        await problems(undefined, undefined, [
          GRAFANA_PROVISIONING[0],
          broken(GRAFANA_PROVISIONING[1], 'path: /etc/grafana/dashboards/interview-mesh', 'path: /var/lib/grafana/dashboards'),
        ]),
      ).toEqual(['grafana: deploy/grafana/interview-mesh.json is not mounted read-only where a dashboard provider reads (/var/lib/grafana/dashboards)']);
      expect(
        await problems(undefined, undefined, [
          broken(GRAFANA_PROVISIONING[0], 'url: http://prometheus:9090', 'url: http://localhost:9090'),
          GRAFANA_PROVISIONING[1],
        ]),
      ).toEqual(['grafana: its default data source (http://localhost:9090) is not the Compose service prometheus (http://prometheus:9090)']);
      expect(await problems(broken(COMPOSE, '      - grafana-data:/var/lib/grafana\n', ''))).toEqual([
        'grafana: its data (/var/lib/grafana) is not in a volume it writes',
      ]);
      expect(await problems(broken(COMPOSE, /\n {2}prometheus:\n( {4}.*\n|\n)*?(?= {2}\S)/, '\n'))).toEqual(['no Prometheus service (prom/prometheus)']);
    });

    it("sends every service's traces to Jaeger v2 over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT http://jaeger:4318)", async () => {
      const problems = async (file?: string) => composeTracingProblems((await composeOf(file)).compose);
      expect(await problems()).toEqual([]);
      // Jaeger v1's all-in-one, or none.
      expect(await problems(broken(COMPOSE, 'image: jaegertracing/jaeger:2.13.0', 'image: jaegertracing/all-in-one:1.76.0'))).toEqual([
        'no Jaeger service (jaegertracing/jaeger)',
      ]);
      expect(await problems(broken(COMPOSE, 'image: jaegertracing/jaeger:2.13.0', 'image: jaegertracing/jaeger:1.76.0'))).toEqual([
        'jaeger: image jaegertracing/jaeger:1.76.0 is not Jaeger v2',
      ]);
      // No endpoint, the gRPC port for HTTP, another host, a path, traces turned off.
      expect(await problems(broken(COMPOSE, '    OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318\n', ''))).toEqual(
        SERVICE_NAMES.map((name) => `${name}: exports no traces (no OTEL_EXPORTER_OTLP_ENDPOINT)`),
      );
      expect(await problems(broken(COMPOSE, 'OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4317'))).toEqual(
        SERVICE_NAMES.map((name) => `${name}: OTEL_EXPORTER_OTLP_ENDPOINT http://jaeger:4317 is not OTLP/HTTP's port 4318`),
      );
      expect(await problems(broken(COMPOSE, 'OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT: http://localhost:4318'))).toEqual(
        SERVICE_NAMES.map((name) => `${name}: sends its traces to localhost:4318, not the service jaeger`),
      );
      expect(
        await problems(broken(COMPOSE, 'OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318/v1/traces')),
      ).toEqual(
        SERVICE_NAMES.map((name) => `${name}: OTEL_EXPORTER_OTLP_ENDPOINT http://jaeger:4318/v1/traces has a path: the exporter appends /v1/traces to it`),
      );
      expect(
        await problems(
          broken(
            COMPOSE,
            '    OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318\n',
            '    OTEL_EXPORTER_OTLP_ENDPOINT: http://jaeger:4318\n    OTEL_SDK_DISABLED: "true"\n',
          ),
        ),
      ).toEqual(SERVICE_NAMES.map((name) => `${name}: OTEL_SDK_DISABLED turns the traces off`));
    });
  });

  describe('deploy/Dockerfile', () => {
    const problems = (file = path.join(REPO, 'deploy/Dockerfile')) => dockerfileProblems(fs.readFileSync(file, 'utf8'));

    it('builds on a pinned base and runs as a numeric user that is not root', () => {
      expect(problems()).toEqual([]);
      expect(problems(broken('deploy/Dockerfile', /^FROM node:\S+/m, 'FROM node:20-bookworm-slim'))).toEqual([
        'base image node:20-bookworm-slim is not pinned to a version (x.y.z)',
      ]);
      expect(problems(broken('deploy/Dockerfile', /^USER .*$/m, 'USER root'))).toEqual(['USER root is root']);
      expect(problems(broken('deploy/Dockerfile', /^USER .*$/m, 'USER node'))).toEqual(['USER node is not numeric: runAsNonRoot cannot verify it']);
      expect(problems(broken('deploy/Dockerfile', /^USER .*\n/m, ''))).toEqual(['no USER: the services would run as root']);
    });

    it('is built from a context holding only what it copies (deploy/Dockerfile.dockerignore): no .data/, no .env', () => {
      const read = (file: string) => fs.readFileSync(path.resolve(REPO, file), 'utf8');
      const problems = (ignore = 'deploy/Dockerfile.dockerignore', dockerfile = 'deploy/Dockerfile') => buildContextProblems(read(ignore), read(dockerfile));
      expect(problems()).toEqual([]);
      expect(problems(broken('deploy/Dockerfile.dockerignore', /^\*$/m, '.git'))).toEqual(['the build context does not start from nothing (*)']);
      expect(problems(broken('deploy/Dockerfile.dockerignore', /^!src\/$/m, '!src/\n!.data/'))).toEqual(['the build context lets in .data']);
      expect(problems(broken('deploy/Dockerfile.dockerignore', /^!scripts\/tls\/\n/m, ''))).toEqual([
        'the build context leaves out scripts/tls, which the Dockerfile copies',
      ]);
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
      // Every document of every file: 34 with the gateway's Deployment, Service and two NetworkPolicies,
      // the integrity service's Deployment, Service and NetworkPolicy, and scoring's egress to it.
      expect(output.match(/^INFO .* passed/gm)).toHaveLength(34);
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
        const https = HTTPS_PORTS[name];
        expect(container.ports).toEqual([
          { name: 'grpc', containerPort: port, protocol: 'TCP' },
          ...(https === undefined ? [] : [{ name: 'https', containerPort: https, protocol: 'TCP' }]),
          { name: 'metrics', containerPort: DEFAULT_METRICS_PORT, protocol: 'TCP' },
        ]);
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
        const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
        expect(env.ADVERTISE_HOST.valueFrom).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
        // A database URL where it keeps tables, a broker URL where it has events (not the gateway's).
        if (TABLE_SERVICES.includes(name)) expect(env.DATABASE_URL.valueFrom!.secretKeyRef).toBeDefined();
        else expect(env.DATABASE_URL).toBeUndefined();
        if (BROKER_SERVICES.includes(name)) expect(env.AMQP_URL.valueFrom!.secretKeyRef).toBeDefined();
        else expect(env.AMQP_URL).toBeUndefined();
        const service = documents.find((d): d is Service => d.kind === 'Service' && d.metadata.name === name)!;
        expect(service.spec.ports).toEqual([
          { name: 'grpc', port, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' },
          ...(https === undefined ? [] : [{ name: 'https', port: https, targetPort: 'https', protocol: 'TCP', appProtocol: 'https' }]),
        ]);
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

    /** The documents of `files` (the manifests by default). */
    const documentsOf = async (files = manifests()) => (await Promise.all(files.map(loadYaml))).flat() as K8sObject[];
    /** The manifests' documents with `file` replaced by a copy with `from` replaced by `to`. */
    const brokenManifests = (file: string, from: string | RegExp, to: string) => {
      const copy = broken(file, from, to);
      return documentsOf(manifests().map((f) => (f === file ? copy : f)));
    };

    it('run every pod restricted: not root, read-only root filesystem, no escalation, no capability, RuntimeDefault seccomp, pinned images', async () => {
      expect(podSecurityProblems(await documentsOf())).toEqual([]);
      const problems = async (file: string, from: string | RegExp, to: string) => podSecurityProblems(await brokenManifests(file, from, to));
      expect(await problems('deploy/k8s/emotion.yaml', 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false')).toEqual([
        'emotion/emotion: readOnlyRootFilesystem is not true',
      ]);
      expect(await problems('deploy/k8s/scoring.yaml', 'capabilities: { drop: [ALL] }', 'capabilities: { drop: [NET_RAW], add: [NET_ADMIN] }')).toEqual([
        'scoring/scoring: capabilities are not all dropped',
        'scoring/scoring: adds capabilities NET_ADMIN',
      ]);
      expect(await problems('deploy/k8s/interview.yaml', 'runAsUser: 1000', 'runAsUser: 0')).toEqual(['interview/interview: runAsUser is not a non-zero user']);
      expect(await problems('deploy/k8s/notifier.yaml', 'allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true')).toEqual([
        'notifier/notifier: allowPrivilegeEscalation is not false',
      ]);
      expect(await problems('deploy/k8s/auth.yaml', 'seccompProfile: { type: RuntimeDefault }', 'seccompProfile: { type: Unconfined }')).toEqual([
        'auth/auth: seccompProfile is not RuntimeDefault',
      ]);
      expect(await problems('deploy/k8s/provision-db.yaml', /runAsNonRoot: true/g, 'runAsNonRoot: false')).toEqual([
        'provision-db/provision-db: runAsNonRoot is not true',
      ]);
      expect(await problems('deploy/k8s/scoring.yaml', '      automountServiceAccountToken: false\n', '')).toEqual(['scoring: mounts a service-account token']);
      expect(await problems('deploy/k8s/emotion.yaml', '- { name: tmp, mountPath: /tmp }', '- { name: tls, mountPath: /tmp }')).toEqual([
        'emotion/emotion: /tmp is writable and not an emptyDir',
        'emotion/emotion: /tmp is not an emptyDir',
      ]);
      expect(await problems('deploy/k8s/notifier.yaml', `image: ${MESH_IMAGE}`, 'image: interview-mesh:latest')).toEqual([
        'notifier/notifier: image interview-mesh:latest is latest',
        `notifier/notifier: image interview-mesh:latest is not ${MESH_IMAGE}`,
      ]);
    });

    it('hold no credential: each service its database URL from its own Secret, a Job provisioning the roles', async () => {
      expect(kubernetesCredentialProblems(await documentsOf())).toEqual([]);
      const problems = async (file: string, from: string | RegExp, to: string) => kubernetesCredentialProblems(await brokenManifests(file, from, to));
      // Another service's Secret.
      expect(await problems('deploy/k8s/auth.yaml', '{ name: mesh-db-auth, key: database-url }', '{ name: mesh-db-interview, key: database-url }')).toEqual([
        'auth: DATABASE_URL is not from its own Secret (mesh-db-auth, database-url)',
        'mesh-db-interview is read by auth',
      ]);
      // A URL with its password in the manifest.
      expect(
        await problems(
          'deploy/k8s/auth.yaml',
          /- name: AUTH_DATABASE_URL\n\s+valueFrom: .*\n/,
          '- { name: AUTH_DATABASE_URL, value: "postgres://mesh_auth:hunter2@db:5432/mesh" }\n',
        ),
      ).toEqual([
        'auth/auth: AUTH_DATABASE_URL has a password written in the manifest',
        'auth: AUTH_DATABASE_URL is not from its own Secret (mesh-db-auth, database-url)',
      ]);
      // A Secret's values in the repository.
      expect(
        await problems(
          'deploy/k8s/config.yaml',
          /$/,
          '---\napiVersion: v1\nkind: Secret\nmetadata: { name: mesh-db-admin }\nstringData: { admin-url: "postgres://a:b@c/mesh" }\n',
        ),
      ).toEqual(['Secret mesh-db-admin is in the manifests']);
      // The Job taking a password from another service's Secret.
      expect(await problems('deploy/k8s/provision-db.yaml', '{ name: mesh-db-notifier, key: password }', '{ name: mesh-db-scoring, key: password }')).toEqual([
        "provision-db's NOTIFIER_DATABASE_PASSWORD is not from mesh-db-notifier",
      ]);
    });

    it('connect each service as its own broker user, from its own Secret, a Job provisioning the users', async () => {
      expect(kubernetesBrokerProblems(await documentsOf())).toEqual([]);
      const problems = async (file: string, from: string | RegExp, to: string) => kubernetesBrokerProblems(await brokenManifests(file, from, to));
      // Another service's Secret: its user.
      expect(await problems('deploy/k8s/auth.yaml', '{ name: mesh-broker-auth, key: amqp-url }', '{ name: mesh-broker-interview, key: amqp-url }')).toEqual([
        'auth: AMQP_URL is not from its own Secret (mesh-broker-auth, amqp-url)',
        'mesh-broker-interview is read by auth',
      ]);
      // The administrator's.
      expect(
        await problems('deploy/k8s/scoring.yaml', '{ name: mesh-broker-scoring, key: amqp-url }', '{ name: mesh-broker-admin, key: management-url }'),
      ).toEqual(['scoring: AMQP_URL is not from its own Secret (mesh-broker-scoring, amqp-url)', 'mesh-broker-admin is read by scoring']);
      // Users under another prefix than the one the Secrets' users have.
      expect(await problems('deploy/k8s/config.yaml', '  LOG_LEVEL: info\n', '  LOG_LEVEL: info\n  AMQP_USER_PREFIX: staging-\n')).toEqual([
        'ConfigMap interview-mesh: AMQP_USER_PREFIX is not mesh-',
      ]);
      expect(
        await problems('deploy/k8s/provision-broker.yaml', '{ name: mesh-broker-notifier, key: password }', '{ name: mesh-broker-scoring, key: password }'),
      ).toEqual(["provision-broker's NOTIFIER_AMQP_PASSWORD is not from mesh-broker-notifier"]);
      expect(kubernetesBrokerProblems(await documentsOf(manifests().filter((f) => !f.endsWith('provision-broker.yaml'))))).toEqual(['no provision-broker Job']);
    });

    it("give each service its own Consul token from its own Secret, the resolver's to the services that resolve, the management token to no pod", async () => {
      expect(kubernetesConsulProblems(await documentsOf())).toEqual([]);
      const problems = async (file: string, from: string | RegExp, to: string) => kubernetesConsulProblems(await brokenManifests(file, from, to));
      // Another service's token.
      expect(await problems('deploy/k8s/emotion.yaml', '{ name: mesh-consul-emotion, key: token }', '{ name: mesh-consul-scoring, key: token }')).toEqual([
        'emotion: EMOTION_CONSUL_TOKEN is not from its own Secret (mesh-consul-emotion, token)',
        'mesh-consul-scoring is read by emotion',
      ]);
      // The resolver's token to a service that resolves nothing.
      expect(
        await problems(
          'deploy/k8s/notifier.yaml',
          /- name: NOTIFIER_CONSUL_TOKEN\n(\s+)valueFrom: .*\n/,
          '- name: NOTIFIER_CONSUL_TOKEN\n$1valueFrom: { secretKeyRef: { name: mesh-consul-notifier, key: token } }\n            - name: CONSUL_RESOLVER_TOKEN\n$1valueFrom: { secretKeyRef: { name: mesh-consul-resolver, key: token } }\n',
        ),
      ).toEqual(["notifier: gets the resolver's Consul token, resolving nothing", 'mesh-consul-resolver is read by notifier']);
      // A token every pod gets.
      expect(
        await problems('deploy/k8s/config.yaml', '  LOG_LEVEL: info\n', '  LOG_LEVEL: info\n  CONSUL_HTTP_TOKEN: "0f6b1a1e-0000-4000-8000-000000000000"\n'),
      ).toEqual(["ConfigMap interview-mesh: CONSUL_HTTP_TOKEN is every pod's"]);
      // The management token.
      expect(
        await problems(
          'deploy/k8s/auth.yaml',
          /- name: AUTH_CONSUL_TOKEN\n(\s+)valueFrom: .*\n/,
          `- name: CONSUL_HTTP_TOKEN\n$1valueFrom: { secretKeyRef: { name: ${CONSUL_BOOTSTRAP_SECRET}, key: token } }\n`,
        ),
      ).toEqual([
        'auth: gets CONSUL_HTTP_TOKEN, a token for whichever service has none of its own',
        'auth: AUTH_CONSUL_TOKEN is not from its own Secret (mesh-consul-auth, token)',
        `${CONSUL_BOOTSTRAP_SECRET}, Consul's management token, is read by auth`,
      ]);
    });

    it("trust the mesh's CA for PostgreSQL and RabbitMQ where the URLs say, and tell to make the URLs TLS (sslmode=verify-full, amqps://)", async () => {
      const texts = () =>
        Object.fromEntries(['provision-db.yaml', 'provision-broker.yaml'].map((file) => [file, fs.readFileSync(path.join(REPO, 'deploy/k8s', file), 'utf8')]));
      expect(kubernetesTlsClientProblems(await documentsOf(), texts())).toEqual([]);
      const problems = async (file: string, from: string | RegExp, to: string) => kubernetesTlsClientProblems(await brokenManifests(file, from, to), texts());
      expect(await problems('deploy/k8s/config.yaml', '  AMQP_CA_FILE: /etc/interview-mesh/tls/ca.crt\n', '')).toEqual([
        ...SERVICE_NAMES.map((name) => `${name}: AMQP_CA_FILE is not the ca.crt of its own Secret mesh-tls-${name}`),
        "the services find the mesh's CA certificate at 0 places, not one",
      ]);
      expect(
        await problems(
          'deploy/k8s/provision-db.yaml',
          '- { name: mesh-ca, mountPath: /etc/interview-mesh/tls, readOnly: true }',
          '- { name: mesh-ca, mountPath: /etc/ssl/mesh, readOnly: true }',
        ),
      ).toEqual(["provision-db: does not mount the mesh's CA certificate, read-only, at /etc/interview-mesh/tls"]);
      const db = texts()['provision-db.yaml'].replace(/sslmode=verify-full&sslrootcert=\/etc\/interview-mesh\/tls\/ca\.crt'/, "sslmode=require'");
      expect(kubernetesTlsClientProblems(await documentsOf(), { ...texts(), 'provision-db.yaml': db })).toEqual([
        'provision-db.yaml says to create postgres://ADMIN:PASSWORD@HOST:5432/mesh?sslmode=require: not sslmode=verify-full with sslrootcert=/etc/interview-mesh/tls/ca.crt',
      ]);
      const broker = texts()['provision-broker.yaml'].replace('amqps://mesh-$s:$p@HOST:5671', 'amqp://mesh-$s:$p@HOST:5672');
      expect(kubernetesTlsClientProblems(await documentsOf(), { ...texts(), 'provision-broker.yaml': broker })).toEqual([
        'provision-broker.yaml says to create amqp://mesh-$s:$p@HOST:5672: not amqps:// to port 5671',
      ]);
    });

    it("serve the report links on the interview service's port https, signed with the Secret interview-report-link-key mounted read-only, which no other pod reads", async () => {
      expect(kubernetesReportLinkProblems(await documentsOf())).toEqual([]);
      const problems = async (file: string, from: string | RegExp, to: string) => kubernetesReportLinkProblems(await brokenManifests(file, from, to));
      const INTERVIEW = 'deploy/k8s/interview.yaml';
      // The port undeclared, elsewhere than the service listens, or not in the Service.
      expect(await problems(INTERVIEW, '{ name: https, containerPort: 8443, protocol: TCP }', '{ name: https, containerPort: 8444, protocol: TCP }')).toEqual([
        'interview: no container port https (8443, TCP)',
      ]);
      expect(await problems(INTERVIEW, /\n +- \{ name: https, port: 8443, .*\}/, '')).toEqual([
        'the Service interview has no port https to the container port https',
      ]);
      // Links naming the pod's address, or plain HTTP.
      expect(await problems(INTERVIEW, /\n +- \{ name: INTERVIEW_REPORT_BASE_URL, .*\}/, '')).toEqual([
        "interview: INTERVIEW_REPORT_BASE_URL (unset) is not https:// on the Service's port https: the links would name the pod's address",
      ]);
      expect(await problems(INTERVIEW, 'value: "https://interview.example.com:8443"', 'value: "http://interview.example.com:8443"')).toEqual([
        "interview: INTERVIEW_REPORT_BASE_URL (http://interview.example.com:8443) is not https:// on the Service's port https: the links would name the pod's address",
      ]);
      // No key file (a key per pod), or one not from the Secret, or writable.
      expect(await problems(INTERVIEW, /\n +- \{ name: INTERVIEW_REPORT_LINK_KEY_FILE, .*\}/, '')).toEqual([
        'interview: INTERVIEW_REPORT_LINK_KEY_FILE is not set: each pod would sign with a key of its own',
      ]);
      const notTheSecret =
        'interview: INTERVIEW_REPORT_LINK_KEY_FILE (/etc/interview-mesh/report-link/report-link.key) is not in the Secret interview-report-link-key, mounted read-only at its directory';
      expect(await problems(INTERVIEW, 'secret: { secretName: interview-report-link-key', 'secret: { secretName: mesh-tls-interview')).toEqual([notTheSecret]);
      expect(await problems(INTERVIEW, 'mountPath: /etc/interview-mesh/report-link, readOnly: true }', 'mountPath: /etc/interview-mesh/report-link }')).toEqual(
        [notTheSecret],
      );
      // Another pod reading it.
      expect(await problems('deploy/k8s/scoring.yaml', 'secret: { secretName: mesh-tls-scoring', 'secret: { secretName: interview-report-link-key')).toEqual([
        'interview-report-link-key is read by scoring',
      ]);
    });

    it("annotate each service's pods for scraping, name their metrics port (9464), export traces over OTLP, and run no Prometheus of their own", async () => {
      expect(kubernetesObservabilityProblems(await documentsOf())).toEqual([]);
      const problems = async (file: string, from: string | RegExp, to: string) => kubernetesObservabilityProblems(await brokenManifests(file, from, to));
      // An annotation missing or wrong, the container port unnamed or elsewhere.
      expect(await problems('deploy/k8s/scoring.yaml', '        prometheus.io/scrape: "true"\n', '')).toEqual([
        'scoring: its pods are not annotated prometheus.io/scrape: "true"',
      ]);
      expect(await problems('deploy/k8s/notifier.yaml', 'prometheus.io/port: "9464"', 'prometheus.io/port: "54"')).toEqual([
        'notifier: its pods are not annotated prometheus.io/port: "9464"',
      ]);
      expect(await problems('deploy/k8s/auth.yaml', 'prometheus.io/path: /metrics', 'prometheus.io/path: /')).toEqual([
        'auth: its pods are not annotated prometheus.io/path: "/metrics"',
      ]);
      expect(
        await problems(
          'deploy/k8s/emotion.yaml',
          '{ name: metrics, containerPort: 9464, protocol: TCP }',
          '{ name: metrics, containerPort: 9465, protocol: TCP }',
        ),
      ).toEqual(['emotion: no container port metrics (9464, TCP)']);
      // The ConfigMap's metrics port elsewhere than the annotations say, or bound to loopback.
      expect(await problems('deploy/k8s/config.yaml', 'METRICS_PORT: "9464"', 'METRICS_PORT: "9465"')).toEqual([
        'ConfigMap interview-mesh: METRICS_PORT is not 9464',
        ...SERVICE_NAMES.flatMap((name) => [
          `${name}: its pods are not annotated prometheus.io/port: "9465"`,
          `${name}: no container port metrics (9465, TCP)`,
        ]),
      ]);
      expect(await problems('deploy/k8s/config.yaml', '  BIND_HOST: 0.0.0.0\n', '  BIND_HOST: 127.0.0.1\n')).toEqual([
        'ConfigMap interview-mesh: BIND_HOST 127.0.0.1 keeps the metrics from Prometheus',
      ]);
      // No traces, or the OTLP/gRPC port for OTLP/HTTP.
      expect(await problems('deploy/k8s/config.yaml', /^ {2}OTEL_EXPORTER_OTLP_ENDPOINT: .*\n/m, '')).toEqual([
        'ConfigMap interview-mesh: exports no traces (no OTEL_EXPORTER_OTLP_ENDPOINT)',
      ]);
      expect(await problems('deploy/k8s/config.yaml', /(OTEL_EXPORTER_OTLP_ENDPOINT: http:\/\/\S+):4318/, '$1:4317')).toEqual([
        "ConfigMap interview-mesh: OTEL_EXPORTER_OTLP_ENDPOINT http://jaeger-collector.observability.svc.cluster.local:4317 is not OTLP/HTTP's port 4318",
      ]);
      // A Prometheus of the manifests' own.
      expect(await problems('deploy/k8s/emotion.yaml', /^ {10}image: interview-mesh:\S+$/m, '          image: prom/prometheus:v2.53.5')).toEqual([
        "emotion: runs Prometheus (the cluster's own scrapes the mesh)",
      ]);
    });

    it("deny ingress by default and open only the mesh's edges, Prometheus alone reaching the metrics, the mesh's pods reaching nothing else but DNS and the OTLP receiver (NetworkPolicies, evaluated for every pair of peers)", async () => {
      expect(networkPolicyProblems(await documentsOf())).toEqual([]);
      const problems = async (from: string | RegExp, to: string) => networkPolicyProblems(await brokenManifests('deploy/k8s/network-policies.yaml', from, to));
      const meshWorkloads = workloads(await documentsOf()).map((w) => w.metadata.name);
      // No default deny: a pod nothing opens takes anyone.
      expect(
        await problems('podSelector: {}\n  policyTypes: [Ingress]', 'podSelector: { matchLabels: { app.kubernetes.io/name: none } }\n  policyTypes: [Ingress]'),
      ).toEqual(expect.arrayContaining(['a pod of the namespace:8080 lets in a client outside the cluster']));
      // emotion open to every pod of every namespace, not the interview service's alone (whatever scoring's egress says).
      expect(
        await problems(/(name: emotion-ingress[\s\S]*?)podSelector:\n\s+matchLabels: \{ app\.kubernetes\.io\/name: interview \}/, '$1namespaceSelector: {}'),
      ).toEqual(expect.arrayContaining(['emotion:50052 lets in a pod of another namespace', 'emotion:50052 lets in scoring']));
      // The interview service's every port open, not its gRPC port alone.
      expect(
        await problems(
          /(name: interview-ingress[\s\S]*?ingress:\n) +- ports:\n +- \{ port: grpc, protocol: TCP \}\n +- \{ port: https, protocol: TCP \}\n/,
          '$1    - {}\n',
        ),
      ).toEqual(
        expect.arrayContaining([
          'interview (another port):9229 lets in a client outside the cluster',
          'interview (metrics):9464 lets in a client outside the cluster',
        ]),
      );
      // The interview service's HTTPS port (report links) closed: people (and everyone else) kept from their links.
      const peers = [
        ...meshWorkloads,
        'a Consul server',
        'Prometheus',
        'another pod of the namespace monitoring',
        "a pod labelled as Prometheus in the mesh's namespace",
        'a pod labelled as Prometheus in another namespace',
        "a pod of the namespace not the mesh's",
        'a pod of another namespace',
        'a client outside the cluster',
      ];
      expect(
        await problems('        - { port: grpc, protocol: TCP }\n        - { port: https, protocol: TCP }\n', '        - { port: grpc, protocol: TCP }\n'),
      ).toEqual(peers.map((peer) => `interview (https):8443 does not let in ${peer}`));
      // The gateway's HTTPS port closed: the browsers kept out.
      expect(await problems(/(name: gateway-ingress[\s\S]*?ingress:\n) +- ports:\n +- \{ port: https, protocol: TCP \}\n/, '$1')).toEqual(
        peers.map((peer) => `gateway (https):8080 does not let in ${peer}`),
      );
      // Its gRPC port (health only) opened to anyone, as its HTTPS port is.
      expect(await problems(/(name: gateway-ingress[\s\S]*?- \{ port: https, protocol: TCP \}\n)/, '$1        - { port: grpc, protocol: TCP }\n')).toEqual(
        expect.arrayContaining(['gateway:50058 lets in a client outside the cluster', 'gateway:50058 lets in emotion']),
      );
      // The gateway's calls not let out: REST and WebSocket would time out.
      expect(
        await problems(
          /(name: gateway-egress[\s\S]*?)\n {4}- to:\n {8}- podSelector:\n {12}matchLabels: \{ app\.kubernetes\.io\/name: interview \}[\s\S]*?- \{ port: grpc, protocol: TCP \}/,
          '$1',
        ),
      ).toEqual(['gateway may not connect to auth:50055', 'gateway may not connect to interview:50051']);
      // The gateway reaching PostgreSQL or RabbitMQ, which it never uses: mesh-egress selecting it again (egress
      // policies add up), its own policy gone (no policy, no limit), or the databases' ingress letting it in.
      const gatewayToDatastores = ['gateway may connect to postgresql:5432', 'gateway may connect to rabbitmq:5671'];
      expect(
        await problems(
          /(name: mesh-egress[\s\S]*?)\n {4}matchExpressions:\n {6}- \{ key: app\.kubernetes\.io\/name, operator: NotIn, values: \[gateway\] \}/,
          '$1',
        ),
      ).toEqual(gatewayToDatastores);
      expect(await problems(/\n---\n# The gateway's calls[\s\S]*?(?=\n---\n)/, '')).toEqual(
        expect.arrayContaining([...gatewayToDatastores, 'gateway may connect to an address outside the cluster:443']),
      );
      const datastoreIngress = (policy: string) =>
        new RegExp(
          `(name: ${policy}[\\s\\S]*?)\\n {12}matchExpressions:\\n {14}- \\{ key: app\\.kubernetes\\.io\\/name, operator: NotIn, values: \\[gateway\\] \\}`,
        );
      expect(await problems(datastoreIngress('postgresql-from-mesh'), '$1')).toEqual(['postgresql:5432 lets in gateway']);
      expect(await problems(datastoreIngress('rabbitmq-from-mesh'), '$1')).toEqual(['rabbitmq:5671 lets in gateway']);
      // PostgreSQL open to every pod of the namespace.
      expect(
        await problems(/(name: postgresql-from-mesh[\s\S]*?)matchLabels: \{ app\.kubernetes\.io\/part-of: interview-mesh \}/, '$1matchLabels: {}'),
      ).toEqual([
        "postgresql:5432 lets in a pod labelled as Prometheus in the mesh's namespace",
        "postgresql:5432 lets in a pod of the namespace not the mesh's",
      ]);
      // RabbitMQ's management API open to every pod of the mesh, not the provisioning Job's alone.
      expect(
        await problems(
          'matchLabels: { app.kubernetes.io/name: provision-broker, app.kubernetes.io/part-of: interview-mesh }',
          'matchLabels: { app.kubernetes.io/part-of: interview-mesh }',
        ),
      ).toEqual(expect.arrayContaining(['rabbitmq (management):15672 lets in emotion', 'rabbitmq (management):15672 lets in provision-db']));
      // RabbitMQ's plaintext AMQP open to the mesh's pods.
      expect(
        await problems(
          '        - { port: 5671, protocol: TCP }\n    - from:',
          '        - { port: 5671, protocol: TCP }\n        - { port: 5672, protocol: TCP }\n    - from:',
        ),
      ).toEqual(expect.arrayContaining(['rabbitmq (plaintext AMQP):5672 lets in emotion', 'rabbitmq (plaintext AMQP):5672 lets in provision-db']));
      // Consul's policy in the wrong namespace: Consul's servers take anyone.
      expect(await problems('  namespace: consul\n', '')).toEqual(expect.arrayContaining(['consul:8500 lets in a client outside the cluster']));

      // The metrics port open to every pod of the namespace monitoring, to pods labelled as Prometheus
      // in any namespace, or to the pods of the mesh's namespace alone (no namespace selector).
      const metricsPeer =
        /(name: metrics-from-prometheus[\s\S]*?)- namespaceSelector:\n\s+matchLabels: \{ kubernetes\.io\/metadata\.name: monitoring \}\n\s+podSelector:\n\s+matchLabels: \{ app\.kubernetes\.io\/name: prometheus \}/;
      expect(await problems(metricsPeer, '$1- namespaceSelector:\n            matchLabels: { kubernetes.io/metadata.name: monitoring }')).toEqual(
        SERVICE_NAMES.map((name) => `${name} (metrics):9464 lets in another pod of the namespace monitoring`),
      );
      expect(
        await problems(metricsPeer, '$1- namespaceSelector: {}\n          podSelector:\n            matchLabels: { app.kubernetes.io/name: prometheus }'),
      ).toEqual(
        SERVICE_NAMES.flatMap((name) => [
          `${name} (metrics):9464 lets in a pod labelled as Prometheus in the mesh's namespace`,
          `${name} (metrics):9464 lets in a pod labelled as Prometheus in another namespace`,
        ]),
      );
      expect(await problems(metricsPeer, '$1- podSelector:\n            matchLabels: { app.kubernetes.io/name: prometheus }')).toEqual(
        SERVICE_NAMES.flatMap((name) => [
          `${name} (metrics):9464 does not let in Prometheus`,
          `${name} (metrics):9464 lets in a pod labelled as Prometheus in the mesh's namespace`,
        ]),
      );
      // The metrics port opened with the gRPC port to the interview service and Consul (emotion's policy naming it).
      expect(await problems(/(name: emotion-ingress[\s\S]*?- \{ port: grpc, protocol: TCP \}\n)/, '$1        - { port: metrics, protocol: TCP }\n')).toEqual([
        'emotion (metrics):9464 lets in interview',
        'emotion (metrics):9464 lets in a Consul server',
      ]);

      // Egress: the OTLP receiver left out, or everything let out.
      // (mesh-egress's rules, the first of their kind in the file: the gateway, which has its own, keeps them.)
      const meshEgressPods = meshWorkloads.filter((name) => name !== 'gateway');
      expect(await problems(/\n {4}# The traces \(OTLP[\s\S]*?- \{ port: 4318, protocol: TCP \}\n/, '\n')).toEqual(
        ['4317', '4318'].flatMap((port) => meshEgressPods.map((name) => `${name} may not connect to the OTLP receiver:${port}`)),
      );
      expect(await problems(/(name: mesh-egress[\s\S]*?\n {2}egress:\n)/, '$1    - {}\n')).toEqual(
        expect.arrayContaining([
          'emotion may connect to a pod of another namespace:8080',
          'provision-db may connect to an address outside the cluster:443',
          "notifier may connect to the OTLP receiver's UI:16686",
          'scoring may connect to rabbitmq (management):15672',
          'auth may connect to emotion (metrics):9464',
        ]),
      );
      // The OTLP receiver's namespace open whatever its pods (no pod selector).
      expect(
        await problems(
          /(# The traces \(OTLP[\s\S]*?matchLabels: \{ kubernetes\.io\/metadata\.name: observability \})\n\s+podSelector:\n\s+matchLabels: \{ app\.kubernetes\.io\/name: jaeger \}/,
          '$1',
        ),
      ).toEqual(meshEgressPods.map((name) => `${name} may connect to another pod of the namespace observability:4318`));
      // The interview service cut off from a downstream, or every service free to call the others.
      expect(await problems(/(name: interview-egress[\s\S]*?\n) +- podSelector:\n\s+matchLabels: \{ app\.kubernetes\.io\/name: scoring \}\n/, '$1')).toEqual([
        'interview may not connect to scoring:50053',
      ]);
      expect(
        await problems(
          /(name: interview-egress[\s\S]*?podSelector:\n\s+matchLabels:) \{ app\.kubernetes\.io\/name: interview \}/,
          '$1 { app.kubernetes.io/part-of: interview-mesh }',
        ),
      ).toEqual(
        expect.arrayContaining(['scoring may connect to emotion:50052', 'emotion may connect to auth:50055', 'provision-db may connect to scoring:50053']),
      );
      // DNS over UDP alone: TCP (large answers) refused.
      expect(await problems('        - { port: 53, protocol: TCP }\n', '')).toEqual(
        meshEgressPods.map((name) => `${name} may not connect to the DNS (TCP):53`),
      );
      // The gateway's own DNS rule: UDP alone too.
      expect(await problems(/(name: gateway-egress[\s\S]*?) {8}- \{ port: 53, protocol: TCP \}\n/, '$1')).toEqual([
        'gateway may not connect to the DNS (TCP):53',
      ]);
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
      expect(await exec(consul, ['validate', 'deploy/consul/agent-acl.hcl', agentConfig()])).toEqual({ code: 0, output: 'Configuration is valid!\n' });
      const badAcl = await exec(consul, ['validate', broken('deploy/consul/agent-acl.hcl', /^ {2}default_policy/m, '  default_polcy'), agentConfig()]);
      expect(badAcl.code).not.toBe(0);
      expect(badAcl.output).toContain('invalid config key acl.default_polcy');
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

    it('turn ACLs on in the agents, denying by default, keeping tokens set through the API (deploy/consul/agent-acl.hcl)', () => {
      const hcl = fs.readFileSync(path.join(REPO, 'deploy/consul/agent-acl.hcl'), 'utf8');
      expect(consulAclConfigProblems(hcl)).toEqual([]);
      expect(consulAclConfigProblems(hcl.replace(/enabled( +)= true/, 'enabled$1= false'))).toEqual(['ACLs are not enabled']);
      expect(consulAclConfigProblems(hcl.replace(/default_policy( +)= "deny"/, 'default_policy$1= "allow"'))).toEqual([
        'ACLs do not deny by default (default_policy is not "deny")',
      ]);
      expect(consulAclConfigProblems(hcl.replace(/^ *enable_token_persistence.*\n/m, ''))).toEqual([
        'tokens set through the API are not kept (enable_token_persistence)',
      ]);
    });

    it("makes the agent run the checks with the mesh's CA and a certificate of its own", () => {
      const hcl = fs.readFileSync(path.join(REPO, 'deploy/consul/agent-tls.hcl'), 'utf8');
      expect(hcl).toMatch(/enable_agent_tls_for_checks\s*=\s*true/);
      for (const key of ['ca_file', 'cert_file', 'key_file']) expect(hcl).toMatch(new RegExp(`${key}\\s*=\\s*"[^"]+"`));
    });
  });
});
