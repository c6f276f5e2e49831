"""Report links, attacked at the interview service's HTTPS port: a link GetReport handed the attacker for
their own scored interview, turned towards the victim's interview or another format, its token altered
(signature kept), re-signed with a key of the attacker's own, replaced by an access token, forged with
`alg: none`, expired; and plaintext HTTP. The links' key (MESH_REPORT_LINK_KEY_FILE, the mesh's own)
lets the suite sign tokens exactly as the interview service does: a control right in every claim is
served, so each refusal is due to the one thing the attack changed.
"""

import http.client
import json
import secrets
import ssl
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jwt

from tokens import b64url_decode, b64url_json

LINK_TYPE = "report-link+jwt"
ISSUER = "interview-mesh/interview"
AUDIENCE = "interview-mesh/report-link"
TIMEOUT_S = 30.0

Record = Callable[[str, str, str, str, bool], None]


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes

    def describe(self) -> str:
        text = self.body[:5].decode("latin-1") if self.status == 200 else self.body.decode("utf-8", "replace").strip()[:100]
        return f"{self.status} {text}"


@dataclass(frozen=True)
class Link:
    """A report link taken apart: where to send it, the interview, the format, the token."""

    origin: str
    interview_id: str
    extension: str
    token: str

    @staticmethod
    def parse(url: str) -> "Link":
        parts = urllib.parse.urlsplit(url)
        interview_id, extension = parts.path.rsplit("/", 1)[-1].rsplit(".", 1)
        token = urllib.parse.parse_qs(parts.query)["token"][0]
        return Link(f"{parts.scheme}://{parts.netloc}", interview_id, extension, token)

    def url(self, interview_id: str | None = None, extension: str | None = None, token: str | None = None) -> str:
        path = f"/v1/reports/{interview_id or self.interview_id}.{extension or self.extension}"
        return f"{self.origin}{path}?token={token if token is not None else self.token}"


def fetch(url: str, ca_file: Path) -> Fetched:
    """GET `url` over TLS trusting the mesh's CA, as a browser handed the link would."""
    parts = urllib.parse.urlsplit(url)
    context = ssl.create_default_context(cafile=str(ca_file))
    connection = http.client.HTTPSConnection(parts.hostname or "", parts.port, context=context, timeout=TIMEOUT_S)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        return Fetched(response.status, response.read())
    finally:
        connection.close()


def fetch_plaintext(url: str) -> str:
    """GET `url` as plain HTTP at the same port: what came back (no HTTP answer is expected)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=TIMEOUT_S)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        return f"HTTP {response.status}"
    except (http.client.HTTPException, OSError) as error:
        return f"no HTTP answer ({type(error).__name__})"
    finally:
        connection.close()


class ReportLinkAttacks:
    def __init__(self, record: Record, ca_file: Path, key_file: Path) -> None:
        self.record = record
        self.ca_file = ca_file
        self.key = b64url_decode(key_file.read_text(encoding="utf-8").strip())

    def sign(self, interview_id: str, fmt: str, exp: int, key: bytes | None = None, typ: str = LINK_TYPE) -> str:
        now = int(time.time())
        claims = {"fmt": fmt, "emo": True, "iss": ISSUER, "aud": AUDIENCE, "sub": interview_id, "iat": now, "exp": exp}
        return jwt.encode(claims, key if key is not None else self.key, algorithm="HS256", headers={"typ": typ})

    def expect(self, attack: str, expected: int, url: str) -> None:
        try:
            got = fetch(url, self.ca_file)
        # Any failure is the row's answer, never a crash.
        except Exception as error:  # noqa: BLE001
            self.record(attack, "GET /v1/reports/:id", str(expected), f"error: {type(error).__name__}: {error}", False)
            return
        passed = got.status == expected and (expected != 200 or got.body.startswith(b"%PDF-"))
        self.record(attack, "GET /v1/reports/:id", str(expected), got.describe(), passed)

    def run(self, link_url: str, victim_interview_id: str, access_token: str) -> None:
        link = Link.parse(link_url)
        own, victim = link.interview_id, victim_interview_id
        later = int(time.time()) + 600
        self.expect("control: the candidate's own report link", 200, link.url())
        self.expect("control: a link forged right in every claim with the mesh's key", 200, link.url(token=self.sign(own, "pdf", later)))
        self.expect("report link of one interview used for another's", 403, link.url(interview_id=victim))
        self.expect("report link with its format changed (pdf to json)", 403, link.url(extension="json"))
        header, payload, signature = link.token.split(".")
        claims: dict[str, object] = {**_json(payload)}
        altered = b64url_json({**claims, "sub": victim})
        towards_victim = link.url(interview_id=victim, token=f"{header}.{altered}.{signature}")
        self.expect("report link token naming the victim's interview, signature kept", 403, towards_victim)
        pushed = b64url_json({**claims, "exp": later + 86_400})
        self.expect("report link token with its expiry pushed back, signature kept", 403, link.url(token=f"{header}.{pushed}.{signature}"))
        self.expect("report link signed with a key of the attacker's own", 403, link.url(token=self.sign(own, "pdf", later, key=secrets.token_bytes(32))))
        self.expect("report link token of another kind (typ at+jwt), the mesh's key", 403, link.url(token=self.sign(own, "pdf", later, typ="at+jwt")))
        self.expect("an access token as a report link's token", 403, link.url(token=access_token))
        unsigned = f"{b64url_json({'alg': 'none', 'typ': LINK_TYPE})}.{payload}."
        self.expect("report link with alg none, no signature", 403, link.url(token=unsigned))
        self.expect("expired report link (signed with the mesh's key, an hour ago)", 410, link.url(token=self.sign(own, "pdf", int(time.time()) - 3600)))
        got = fetch_plaintext(link.url())
        self.record("plaintext HTTP to the report links' port", "GET /v1/reports/:id", "no HTTP answer", got, got.startswith("no HTTP answer"))


def _json(segment: str) -> dict[str, object]:
    value: object = json.loads(b64url_decode(segment))
    if not isinstance(value, dict):
        raise ValueError("a JWT's payload is not an object")
    return {str(k): v for k, v in value.items()}
