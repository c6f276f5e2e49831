import path from 'node:path';
import { buildWeb, WEB_DIST } from '../../scripts/build-web';
import { Env } from '../platform/config/env';
import { tlsFiles } from '../platform/tls/certificate-files';
import { TransportSettings } from '../platform/tls/transport-security';
import { Mesh } from '../mesh/start-mesh';
import { gatewaySettings } from '../services/gateway/settings';
import { DemoUser } from './accounts';

/**
 * Makes sure the gateway of the mesh about to start (its settings from `env`) will find the web app:
 * builds dist/web when it is missing or stale (`npm run build:web`'s buildWeb: skipped when nothing
 * under web/ changed). A GATEWAY_WEB_DIR of the person's own is served as it is.
 * @returns a line saying what was done.
 * @throws Error when the gateway serves no app (GATEWAY_WEB_DIR=none) or the directory named has no index.html.
 */
export async function prepareWebApp(env: Env): Promise<string> {
  const { webDir } = gatewaySettings(env);
  if (webDir === undefined) throw new Error('--web: GATEWAY_WEB_DIR=none, the gateway would serve no web app');
  if (path.resolve(webDir) !== WEB_DIST) return `web app: ${webDir} (GATEWAY_WEB_DIR), served as it is`;
  const { built, ms } = await buildWeb();
  return built
    ? `web app: built ${path.relative(process.cwd(), WEB_DIST)} in ${(ms / 1000).toFixed(1)} s`
    : `web app: ${path.relative(process.cwd(), WEB_DIST)} is up to date`;
}

/**
 * The front door's address: the gateway's HTTPS listener in `mesh` (`http://` with the development
 * switch), named `localhost` when it listens on a loopback address (its certificate names localhost,
 * 127.0.0.1 and ::1; a browser shows localhost more kindly). Ends with `/`.
 * @throws Error when the mesh runs no gateway or it opened no listener.
 */
export function frontDoorUrl(mesh: Mesh): URL {
  const listener = mesh.services.get('gateway')?.httpsListeners[0];
  if (!listener) throw new Error('--web: the mesh runs no gateway with an HTTPS listener');
  const url = new URL(`${listener.url}/`);
  if (['127.0.0.1', '[::1]'].includes(url.hostname)) url.hostname = 'localhost';
  return url;
}

/** What a person needs to open the front door: the URL, the CA to trust, the accounts to log in as, how to sign up an interviewer. */
export function frontDoorLines(options: {
  url: URL;
  transport: TransportSettings;
  interviewId: string;
  candidate: DemoUser;
  interviewer: DemoUser | undefined;
  invitationCode: string | undefined;
}): string[] {
  const { url, transport, candidate, interviewer, invitationCode } = options;
  const ca = path.relative(process.cwd(), tlsFiles(transport.dir).caCertificate);
  const page = (p: string) => new URL(p, url).href;
  return [
    `Front door: ${url.href}  (REST under /api/v1, WebSocket /ws/interviews/:id, ${page('/openapi.json')}, ${page('/healthz')})`,
    ...(transport.plaintext
      ? ['  INSECURE: plain HTTP (MESH_INSECURE_PLAINTEXT=true); a browser allows no camera there but on localhost']
      : [
          `  TLS: the certificate is issued by this mesh's CA, ${ca}. Have the browser trust it (Chromium: Settings, Privacy and security,`,
          '  Security, Manage certificates, Authorities, Import; Firefox: Settings, Privacy & Security, View Certificates, Authorities, Import),',
          `  or accept the warning once; from a shell: curl --cacert ${ca} ${page('/healthz')}`,
        ]),
    `  Candidate: log in as ${candidate.email}, password ${candidate.password}; the report: ${page(`/interview/${options.interviewId}/report`)}`,
    ...(interviewer
      ? [
          `  Interviewer: log in as ${interviewer.email}, password ${interviewer.password}; the interview: ${page(`/interviews/${options.interviewId}`)}`,
          `  Sign up another interviewer: "Sign up", tick "I am an interviewer", invitation code ${invitationCode ?? ''}`,
        ]
      : ['  No interviewer: AUTH_INTERVIEWER_INVITATION_CODE is not set, so interviewers cannot sign up']),
    '  Serving until Ctrl-C (SIGINT) or SIGTERM.',
  ];
}

/** Resolves with the first SIGINT or SIGTERM this process receives (then neither is listened for any more). */
export function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
