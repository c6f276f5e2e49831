import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike } from 'jose';
import { Logger } from '../../platform/log/logger';

/** The JWS algorithm of every token: EdDSA over Ed25519 (RFC 8037). */
export const SIGNING_ALGORITHM = 'EdDSA';

/** One key: its id, the private key that signs, and the public JWK that verifies. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly publicJwk: JWK;
}

const KEY_FILE_SUFFIX = '.jwk';

/**
 * The signing keys in a directory, one private JWK (RFC 7517) per `<kid>.jwk` file. The newest key
 * (kids start with their creation time, so the greatest kid) signs; every key's public half is
 * published, so that tokens signed with the previous key still verify during a rotation. Rotating
 * is adding a key file (`npm run auth:rotate-key`, or a new file in the mounted secret): the
 * directory is read again every `reloadMs` milliseconds. An old key is retired by deleting its file
 * once the tokens it signed have expired.
 */
export class SigningKeys {
  private keys: readonly SigningKey[] = [];
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  /** Reads the keys of `dir`, creating the directory and a first key when there is none; throws naming a file that is not an Ed25519 private JWK. */
  static async open(dir: string, reloadMs: number, log: Logger): Promise<SigningKeys> {
    const keys = new SigningKeys(dir, log);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if ((await keyFiles(dir)).length === 0) {
      const kid = await createKeyFile(dir);
      log.info({ kid, dir }, 'no signing key found: created one');
    }
    await keys.reload();
    keys.timer = setInterval(() => {
      keys.reload().catch((error: unknown) => {
        log.error({ err: error, dir }, 'could not read the signing keys again: keeping the ones loaded');
      });
    }, reloadMs);
    keys.timer.unref();
    return keys;
  }

  /** The key that signs now: the newest. */
  current(): SigningKey {
    const newest = this.keys.at(-1);
    if (!newest) throw new Error(`no signing key in ${this.dir}`);
    return newest;
  }

  /** The public keys, oldest first: the JWK Set that verifies every token still valid. */
  publicKeys(): readonly JWK[] {
    return this.keys.map((k) => k.publicJwk);
  }

  /** Reads the directory again; logs when the set of keys changed. */
  async reload(): Promise<void> {
    const files = await keyFiles(this.dir);
    const keys = await Promise.all(files.map((file) => readKey(path.join(this.dir, file))));
    const before = this.keys.map((k) => k.kid).join(',');
    this.keys = keys.sort((a, b) => a.kid.localeCompare(b.kid));
    const after = this.keys.map((k) => k.kid).join(',');
    if (before !== after) this.log.info({ kids: this.keys.map((k) => k.kid), signing: this.current().kid }, 'signing keys loaded');
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/**
 * Writes a new Ed25519 private key to `dir` as `<kid>.jwk` (mode 0600) and returns its kid: the
 * creation time (sortable) and 6 random bytes.
 */
export async function createKeyFile(dir: string): Promise<string> {
  const kid = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(6).toString('hex')}`;
  const { privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALGORITHM };
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // Written aside, then renamed into place (atomic on POSIX): another instance reading the directory
  // never sees half a key.
  const file = path.join(dir, `${kid}${KEY_FILE_SUFFIX}`);
  await fs.writeFile(`${file}.tmp`, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
  await fs.rename(`${file}.tmp`, file);
  return kid;
}

async function keyFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((file) => file.endsWith(KEY_FILE_SUFFIX));
}

/** The key in `file`; throws naming the file when it is not an Ed25519 private JWK. */
async function readKey(file: string): Promise<SigningKey> {
  try {
    const jwk = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
    if (!isEd25519PrivateJwk(jwk)) throw new Error('not an OKP Ed25519 key with its private part d');
    const kid = path.basename(file, KEY_FILE_SUFFIX);
    const privateKey = await importJWK({ ...jwk, kid }, SIGNING_ALGORITHM);
    if (privateKey instanceof Uint8Array) throw new Error('a symmetric key');
    // The public half is derived from the private key, never taken from the file's own `x`: a
    // hand-edited file could otherwise publish a key that verifies none of its tokens.
    const { x } = createPublicKey(createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, d: jwk.d, x: jwk.x }, format: 'jwk' })).export({ format: 'jwk' });
    if (x === undefined) throw new Error('no public key could be derived');
    return { kid, privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', x, kid, alg: SIGNING_ALGORITHM, use: 'sig' } };
  } catch (error) {
    throw new Error(`${file} is not an Ed25519 private JWK: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function isEd25519PrivateJwk(value: unknown): value is JWK {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as JWK;
  return jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.d === 'string' && typeof jwk.x === 'string';
}
