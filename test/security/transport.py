"""The mesh's transport security as a client meets it: every port is TLS, with the mesh's CA.

The public services (interview, auth) take any TLS client that trusts the CA, as an end user; the
internal ones (emotion, scoring, notifier) only a client presenting a certificate of the mesh's CA,
whose SPIFFE ID (spiffe://interview-mesh/service/<name>, .../operator/<name>) the call policy
checks against each RPC. The suite reads the files from the mesh's TLS directory (MESH_TLS_DIR:
`ca.crt`, and `<name>.crt` / `<name>.key` per workload, the operator's among them), and makes a
certificate of its own, from a CA of its own, for the attacks a foreign certificate must lose.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TRUST_DOMAIN = "interview-mesh"
OPERATOR = "operator"


def service_id(name: str) -> str:
    return f"spiffe://{TRUST_DOMAIN}/service/{name}"


@dataclass(frozen=True)
class KeyPair:
    """A client certificate (PEM, its chain after it) and its private key (PEM)."""

    certificate: bytes
    private_key: bytes


@dataclass(frozen=True)
class TlsFiles:
    """The mesh's TLS directory, as a client uses it."""

    dir: Path

    @property
    def ca(self) -> bytes:
        return (self.dir / "ca.crt").read_bytes()

    def workload(self, name: str) -> KeyPair:
        """The certificate and key of workload `name` (`operator`, `interview`, ...)."""
        return KeyPair((self.dir / f"{name}.crt").read_bytes(), (self.dir / f"{name}.key").read_bytes())

    def credentials(self, client: KeyPair | None = None) -> grpc.ChannelCredentials:
        """TLS trusting the mesh's CA, presenting `client` (none: as an end user)."""
        if client is None:
            return grpc.ssl_channel_credentials(root_certificates=self.ca)
        return grpc.ssl_channel_credentials(root_certificates=self.ca, private_key=client.private_key, certificate_chain=client.certificate)

    def channel(self, address: str, client: KeyPair | None = None) -> grpc.Channel:
        return grpc.secure_channel(address, self.credentials(client))


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def foreign_pair(spiffe_id: str, ca_name: str = f"{TRUST_DOMAIN} CA") -> KeyPair:
    """A client certificate naming `spiffe_id`, as the mesh's CA issues them (P-256, client and
    server use, the ID as URI SAN), but signed by a CA of the suite's own that bears the mesh CA's
    name: only the signature tells them apart. Its chain carries that CA."""
    now = datetime.datetime.now(datetime.UTC)
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name)])
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(issuer)
        .issuer_name(issuer)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = spiffe_id.rsplit("/", 1)[-1]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(spiffe_id), x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    private_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return KeyPair(_pem(leaf) + _pem(ca), private_key)


def health_check(channel: grpc.Channel, timeout_s: float) -> bytes:
    """grpc.health.v1.Health/Check of the whole server (an empty request), its response's bytes:
    the one RPC of a port that serves nothing else (the notifier's)."""
    check: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(
        "/grpc.health.v1.Health/Check", request_serializer=lambda request: request, response_deserializer=lambda response: response
    )
    return check(b"", timeout=timeout_s)
