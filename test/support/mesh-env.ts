import { TEST_TLS_ENV } from './tls';

/**
 * What a mesh started by a test needs besides its own variables: the tests' TLS directory
 * (TEST_TLS_ENV), and a metrics port of its own (0: a free one), since test files run side by side
 * and METRICS_PORT's default, 9464, can be had by one process only.
 */
export const TEST_MESH_ENV: Readonly<Record<string, string>> = { ...TEST_TLS_ENV, METRICS_PORT: '0' };
