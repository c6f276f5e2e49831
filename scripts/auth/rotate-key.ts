/**
 * `npm run auth:rotate-key`: adds a new signing key to the auth service's key directory
 * (AUTH_KEYS_DIR, DATA_DIR/auth-keys by default). Running auth instances pick it up within
 * AUTH_KEYS_RELOAD_MS and sign with it; tokens signed with the old keys keep verifying until their
 * files are deleted, which is safe once AUTH_ACCESS_TOKEN_TTL_S has passed.
 */
import { authSettings } from '../../src/services/auth/settings';
import { createKeyFile } from '../../src/services/auth/signing-keys';

async function main(): Promise<void> {
  const { keysDir } = authSettings(process.env);
  const kid = await createKeyFile(keysDir);
  console.log(`added signing key ${kid} to ${keysDir}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
