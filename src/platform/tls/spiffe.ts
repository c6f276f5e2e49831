/**
 * Workload identities of the mesh, SPIFFE-style (the SPIFFE ID standard, spiffe.io): a URI SAN
 * `spiffe://<trust domain>/<path>` in each X.509 certificate the mesh's CA issues. Services are
 * `spiffe://interview-mesh/service/<name>`; people and tools operating the mesh (grpcurl, the
 * interop clients) are `spiffe://interview-mesh/operator/<name>`.
 */
export const TRUST_DOMAIN = 'interview-mesh';

/** What a SPIFFE ID names: a service of the mesh, or an operator. */
export interface WorkloadIdentity {
  readonly kind: 'service' | 'operator';
  readonly name: string;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const SPIFFE_ID = new RegExp(`^spiffe://${TRUST_DOMAIN}/(service|operator)/([a-z][a-z0-9-]{0,62})$`);

/** `spiffe://interview-mesh/service/<name>`; throws on a name that is not a lower-case DNS label. */
export function serviceSpiffeId(name: string): string {
  return spiffeId({ kind: 'service', name });
}

/** `spiffe://interview-mesh/operator/<name>`. */
export function operatorSpiffeId(name: string): string {
  return spiffeId({ kind: 'operator', name });
}

export function spiffeId(identity: WorkloadIdentity): string {
  if (!NAME.test(identity.name)) throw new Error(`a workload name is a lower-case DNS label, got "${identity.name.slice(0, 40)}"`);
  return `spiffe://${TRUST_DOMAIN}/${identity.kind}/${identity.name}`;
}

/** The identity a SPIFFE ID of this trust domain names; undefined for anything else. */
export function parseSpiffeId(uri: string): WorkloadIdentity | undefined {
  const match = SPIFFE_ID.exec(uri);
  return match ? { kind: match[1] as WorkloadIdentity['kind'], name: match[2] } : undefined;
}

/**
 * The one identity of the mesh's trust domain among a certificate's subject alternative names, as
 * Node writes them (`subjectaltname` of a peer certificate: `DNS:emotion, URI:spiffe://...`). An
 * X.509-SVID carries exactly one URI SAN: none, or several, is no identity.
 */
export function identityOfSubjectAltName(subjectAltName: string | undefined): WorkloadIdentity | undefined {
  if (!subjectAltName) return undefined;
  const uris = subjectAltName
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
  return uris.length === 1 ? parseSpiffeId(uris[0]) : undefined;
}
