"""Forged access tokens: well signed with the mesh's own key but wrong in one claim, or built by hand.

The auth service keeps its signing keys as private Ed25519 JWKs (RFC 7517, RFC 8037), one
`<kid>.jwk` file each in AUTH_KEYS_DIR; the newest kid (they start with their creation time) signs.
Reading that key lets the suite sign tokens exactly as the auth service would, so a refusal is due to
the one claim the attack changed, never to the signature.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ACCESS_TOKEN_TYPE = "at+jwt"
Claims = dict[str, object]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_json(value: Mapping[str, object]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


def load_signing_key(keys_dir: Path) -> SigningKey:
    """The key the auth service signs with now: the newest `<kid>.jwk` of `keys_dir`."""
    files = sorted(keys_dir.glob("*.jwk"))
    if not files:
        raise FileNotFoundError(f"no signing key (*.jwk) in {keys_dir}")
    newest = files[-1]
    jwk: object = json.loads(newest.read_text(encoding="utf-8"))
    private = jwk.get("d") if isinstance(jwk, dict) else None
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(private, str):
        raise ValueError(f"{newest} is not a private Ed25519 JWK")
    return SigningKey(kid=newest.stem, private_key=Ed25519PrivateKey.from_private_bytes(b64url_decode(private)))


def unverified_claims(token: str) -> Claims:
    """A token's payload, read without checking anything."""
    claims: Claims = jwt.decode(token, options={"verify_signature": False})
    return claims


def with_payload(token: str, claims: Mapping[str, object]) -> str:
    """`token` with its payload replaced by `claims`, its header and signature kept."""
    header, _, signature = token.split(".")
    return f"{header}.{b64url_json(claims)}.{signature}"


class Forger:
    """Signs tokens with the mesh's key for the identity of a real token (its iss, aud, sub and role)."""

    def __init__(self, key: SigningKey, genuine_token: str) -> None:
        self.key = key
        genuine = unverified_claims(genuine_token)
        self._identity: Claims = {name: genuine[name] for name in ("iss", "aud", "sub", "role")}

    def claims(self, **overrides: object) -> Claims:
        """The identity's claims, issued now for five minutes, with `overrides` (None removes a claim)."""
        now = int(time.time())
        claims: Claims = {**self._identity, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def sign(self, claims: Claims, *, typ: str = ACCESS_TOKEN_TYPE, key: Ed25519PrivateKey | None = None) -> str:
        """`claims` signed with EdDSA (by the mesh's key unless `key`), with the mesh key's kid."""
        return jwt.encode(claims, key or self.key.private_key, algorithm="EdDSA", headers={"kid": self.key.kid, "typ": typ})

    def unsigned(self, claims: Claims) -> str:
        """`alg: none` and an empty signature (RFC 7519 section 6)."""
        header = {"alg": "none", "typ": ACCESS_TOKEN_TYPE, "kid": self.key.kid}
        return f"{b64url_json(header)}.{b64url_json(claims)}."

    def hs256(self, claims: Claims, secret: bytes) -> str:
        """HS256 keyed with `secret`, by hand: PyJWT refuses to use a public key as an HMAC secret."""
        header = {"alg": "HS256", "typ": ACCESS_TOKEN_TYPE, "kid": self.key.kid}
        signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
        signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{b64url(signature)}"

    def public_key_secrets(self) -> dict[str, bytes]:
        """The public key in the forms an algorithm-confusion attack would try as the HMAC secret."""
        public = self.key.public_key
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        return {"raw key": raw, "PEM": pem, "JWK x": b64url(raw).encode("ascii")}
