import { ensureTestTls } from './tls';

/** The unit tests' global set-up: the tests' CA and certificates (test/support/tls.ts), issued once when missing. */
export default async function tlsSetup(): Promise<void> {
  await ensureTestTls();
}
