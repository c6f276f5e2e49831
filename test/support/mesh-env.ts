import { TEST_TLS_ENV } from './tls';

/**
 * What a mesh started by a test needs besides its own variables: the tests' TLS directory
 * (TEST_TLS_ENV), and a metrics port and HTTPS ports (the interview service's report links, the
 * gateway's REST and WebSocket API) of its own (0: a free one), since test files run side by side
 * and the defaults, 9464, 8443 and 8080, can be had by one process only.
 */
export const TEST_MESH_ENV: Readonly<Record<string, string>> = { ...TEST_TLS_ENV, METRICS_PORT: '0', INTERVIEW_HTTPS_PORT: '0', GATEWAY_HTTPS_PORT: '0' };
