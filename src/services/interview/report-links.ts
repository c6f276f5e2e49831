import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import { ConfigError } from '../../platform/config/env';

/** The documents a link may be for, as in its path (`/v1/reports/<interview id>.<format>`). */
export type LinkFormat = 'pdf' | 'json';

/** What a link lets its holder fetch. */
export interface LinkGrant {
  readonly interviewId: string;
  readonly format: LinkFormat;
  readonly includeEmotions: boolean;
}

/** A link to hand out, and when it stops working. */
export interface ReportLink {
  readonly url: string;
  readonly expiresAt: Date;
}

/** Why a link was refused; `expired` links are told apart (HTTP 410) from forged or misused ones (403). */
export class InvalidLinkError extends Error {
  constructor(
    readonly expired: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidLinkError';
  }
}

const ISSUER = 'interview-mesh/interview';
const AUDIENCE = 'interview-mesh/report-link';
/** The JWS's `typ`: a link's token is no access token, and no access token is a link's. */
const TYPE = 'report-link+jwt';
const ALGORITHM = 'HS256';
/** A key of 256 bits: HS256's own strength (RFC 7518 section 3.2 asks for at least the hash's size). */
export const LINK_KEY_BYTES = 32;
/** The longest token verified, characters (a real one is about 330). */
const MAX_TOKEN_CHARS = 1_024;

/**
 * Signed, expiring links to a report's documents: `<base>/v1/reports/<interview id>.<pdf|json>?token=<JWS>`.
 * The token (jose, HS256: the interview service signs and verifies it itself, so a shared secret
 * among its replicas does, and no other service needs a public key) names the interview (`sub`),
 * the format and whether every frame is included, and expires `ttlSeconds` after it was issued;
 * `typ`, `iss` and `aud` of its own keep it from being taken for an access token or the other way
 * round. Whoever holds a link fetches that document, of that interview, until it expires: issue it
 * only to who may read the report (GetReport checks that).
 */
export class ReportLinks {
  constructor(
    private readonly key: Uint8Array,
    private readonly ttlSeconds: number,
    /** The links' origin, e.g. `https://reports.example:8443` (the listener's, known once it listens). */
    private readonly baseUrl: () => string,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (key.length < LINK_KEY_BYTES) throw new ConfigError(`the report links' key has ${key.length} bytes; it needs ${LINK_KEY_BYTES}`);
  }

  async issue(grant: LinkGrant): Promise<ReportLink> {
    const issuedAt = Math.floor(this.now().getTime() / 1000);
    const expires = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({ fmt: grant.format, emo: grant.includeEmotions })
      .setProtectedHeader({ alg: ALGORITHM, typ: TYPE })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(grant.interviewId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expires)
      .sign(this.key);
    return { url: `${this.baseUrl()}/v1/reports/${grant.interviewId}.${grant.format}?token=${token}`, expiresAt: new Date(expires * 1000) };
  }

  /**
   * What the link's token grants, when it was signed here, has not expired, and is for this
   * interview and format (the link's path).
   * @throws InvalidLinkError otherwise.
   */
  async verify(interviewId: string, format: LinkFormat, token: string): Promise<LinkGrant> {
    if (token.length === 0 || token.length > MAX_TOKEN_CHARS) throw new InvalidLinkError(false, 'the link has no valid token');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        typ: TYPE,
        issuer: ISSUER,
        audience: AUDIENCE,
        subject: interviewId,
        requiredClaims: ['exp', 'iat', 'sub'],
        currentDate: this.now(),
        clockTolerance: 0,
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new InvalidLinkError(true, 'the link has expired: ask for the report again for a new one');
      throw new InvalidLinkError(false, 'the link is not valid for this report');
    }
    if (payload.fmt !== format || typeof payload.emo !== 'boolean') throw new InvalidLinkError(false, 'the link is not valid for this report');
    return { interviewId, format, includeEmotions: payload.emo };
  }
}

/**
 * The links' key: the file's 32 bytes or more (base64url, as `openssl rand -base64 32 | tr '+/' '-_'`
 * writes them), created with a random key (mode 0600) when it does not exist. A file that exists is
 * only read, so it may be a secret mounted read-only (Kubernetes' Secret volumes are). Replicas of
 * the interview service must share it (mount one secret), or a link works only on the replica that
 * issued it. `undefined` file: a key of this process alone (an in-memory database's mesh).
 * @throws ConfigError naming the file when it holds no key of 32 bytes.
 */
export async function loadLinkKey(file: string | undefined): Promise<Uint8Array> {
  if (file === undefined) return randomBytes(LINK_KEY_BYTES);
  const text = (await readIfExists(file)) ?? (await createLinkKey(file));
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < LINK_KEY_BYTES)
    throw new ConfigError(`${file} (INTERVIEW_REPORT_LINK_KEY_FILE) holds ${key.length} bytes; the report links' key needs ${LINK_KEY_BYTES}`);
  return key;
}

/** The file's text, or undefined when there is no such file. */
async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes a random key to `file` unless another process got there first; the file's text either way. */
async function createLinkKey(file: string): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written aside, then linked into place: of two processes starting at once, one key wins whole.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(draft, `${randomBytes(LINK_KEY_BYTES).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  try {
    await fs.link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(draft, { force: true });
  }
  return fs.readFile(file, 'utf8');
}
