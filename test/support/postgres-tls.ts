import { serverTlsArguments } from './server-tls';

/**
 * The one name in the certificate of the tests' PostgreSQL server: `localhost`, not 127.0.0.1, so
 * that a client that verifies host names (sslmode=verify-full) is refused at 127.0.0.1 and let in at
 * localhost (test/integration/database-tls.test.ts shows both).
 */
export const POSTGRES_TLS_HOST = 'localhost';

/**
 * The arguments of scripts/infra/ensure-postgres.sh that make the tests' PostgreSQL server offer
 * TLS with a certificate from the tests' CA (test/support/tls.ts), issued here when missing, not
 * the CA's, or past two thirds of its life. Sets TEST_DATABASE_TLS_HOST, which tells the TLS test
 * that the server is one set up so (not a server of one's own, TEST_DATABASE_ADMIN_URL).
 */
export async function postgresTlsArguments(): Promise<string[]> {
  process.env.TEST_DATABASE_TLS_HOST = POSTGRES_TLS_HOST;
  return serverTlsArguments('postgres', POSTGRES_TLS_HOST);
}
