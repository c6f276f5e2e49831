"""The gateway (the browser's front door), attacked over HTTPS and WSS at its HTTPS port (MESH_GATEWAY_ADDR):
REST calls without a token, with a garbage one, an expired one and one with `alg: none`; another
candidate's interview over REST (404, as gRPC's NOT_FOUND) and over the WebSocket (closed 4404); an
interviewer changing an interview (403); a body past its bound (413); a valid token in the WebSocket's
URL instead of its first message; a CORS preflight from an origin the gateway does not allow; plaintext
HTTP to the HTTPS port. Controls: the candidate's own interview over REST and over the WebSocket, and a
preflight from the allowed origin (MESH_GATEWAY_ORIGIN), so that each refusal is due to the attack.

Run before the limit floods: the gateway forwards this address (x-forwarded-for) and the interview
service counts the calls under it, so a flooded address would be refused for the wrong reason.
"""

import http.client
import json
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

TIMEOUT_S = 30.0
API = "/api/v1"

Record = Callable[[str, str, str, str, bool], None]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def error_status(self) -> str:
        """google.rpc.Status's `status` of an error body (`NOT_FOUND`), or '' when there is none."""
        try:
            value: object = json.loads(self.body)
        except ValueError:
            return ""
        if isinstance(value, dict) and isinstance(value.get("error"), dict):
            return str(value["error"].get("status", ""))
        return ""

    def describe(self) -> str:
        status = self.error_status()
        return f"{self.status} {status}".strip() if status or self.status >= 300 else f"{self.status} {self.body[:60].decode('utf-8', 'replace')}"


@dataclass(frozen=True)
class Closed:
    """How a WebSocket ended: its close code, and the message types received before."""

    code: int | None
    received: tuple[str, ...]

    def describe(self) -> str:
        return f"closed {self.code} after {list(self.received)}" if self.code is not None else f"still open after {list(self.received)}"


class Gateway:
    """HTTPS and WSS to the gateway at `address` (host:port), trusting the mesh's CA."""

    def __init__(self, address: str, ca_file: Path) -> None:
        host, port = address.rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.context = ssl.create_default_context(cafile=str(ca_file))

    def request(self, method: str, path: str, token: str | None = None, body: bytes | None = None, headers: Mapping[str, str] | None = None) -> Answer:
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=TIMEOUT_S)
        sent = {**({"content-type": "application/json"} if body is not None else {}), **({"authorization": f"Bearer {token}"} if token else {})}
        try:
            connection.request(method, path, body=body, headers={**sent, **(headers or {})})
            response = connection.getresponse()
            return Answer(response.status, {name.lower(): value for name, value in response.getheaders()}, response.read())
        finally:
            connection.close()

    def plaintext(self, path: str) -> str:
        """GET `path` as plain HTTP at the HTTPS port: what came back (no HTTP answer is expected)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        try:
            connection.request("GET", path)
            return f"HTTP {connection.getresponse().status}"
        except (http.client.HTTPException, OSError) as error:
            return f"no HTTP answer ({type(error).__name__})"
        finally:
            connection.close()

    def socket(self, path: str) -> ClientConnection:
        return connect(f"wss://{self.host}:{self.port}{path}", ssl=self.context, open_timeout=TIMEOUT_S, close_timeout=5)

    def session(self, path: str, first: Mapping[str, object], wait_s: float = 10.0) -> Closed:
        """Opens a WebSocket, sends `first`, and reads until it closes or `wait_s` passes without a message."""
        received: list[str] = []
        with self.socket(path) as socket:
            socket.send(json.dumps(first))
            try:
                while True:
                    message = socket.recv(timeout=wait_s)
                    value: object = json.loads(message)
                    received.append(str(value.get("type")) if isinstance(value, dict) else "?")
            except TimeoutError:
                return Closed(None, tuple(received))
            except ConnectionClosed as closed:
                return Closed(closed.rcvd.code if closed.rcvd else None, tuple(received))


@dataclass(frozen=True)
class Parties:
    """The tokens and interviews the attacks use: the victim's, the attacker's, an interviewer's, and forged ones."""

    victim_token: str
    victim_interview: str
    victim_question: str
    attacker_token: str
    interviewer_token: str
    expired_token: str
    unsigned_token: str


class GatewayAttacks:
    def __init__(self, record: Record, gateway: Gateway, allowed_origin: str) -> None:
        self.record = record
        self.gateway = gateway
        self.allowed_origin = allowed_origin

    def expect(self, attack: str, route: str, expected: int, answer: Callable[[], Answer], status: str = "") -> None:
        try:
            got = answer()
        # Any failure is the row's answer, never a crash.
        except Exception as error:  # noqa: BLE001
            self.record(attack, route, f"{expected} {status}".strip(), f"error: {type(error).__name__}: {error}", False)
            return
        passed = got.status == expected and (not status or got.error_status() == status)
        self.record(attack, route, f"{expected} {status}".strip(), got.describe(), passed)

    def expect_closed(self, attack: str, expected: int, closed: Callable[[], Closed]) -> None:
        route = "WS /ws/interviews/:id"
        try:
            got = closed()
        except Exception as error:  # noqa: BLE001
            self.record(attack, route, f"closed {expected}", f"error: {type(error).__name__}: {error}", False)
            return
        self.record(attack, route, f"closed {expected}, nothing but an error before", got.describe(), got.code == expected and set(got.received) <= {"error"})

    def preflight(self, origin: str) -> Answer:
        headers = {"origin": origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type"}
        return self.gateway.request("OPTIONS", f"{API}/interviews/start", headers=headers)

    def controls(self, p: Parties) -> None:
        """The victim's own calls, which the attacks then make as someone else (run outside the tables' watch)."""
        g = self.gateway
        self.expect(
            "control: the candidate's own interview over REST",
            "GET /api/v1/interviews/:id",
            200,
            lambda: g.request("GET", f"{API}/interviews/{p.victim_interview}", p.victim_token),
        )
        route = "WS /ws/interviews/:id"
        expected = "status and question after auth"
        try:
            with g.socket(f"/ws/interviews/{p.victim_interview}") as socket:
                socket.send(json.dumps({"type": "auth", "data": {"token": p.victim_token}}))
                types = {str(json.loads(socket.recv(timeout=10)).get("type")) for _ in range(2)}
            self.record("control: the candidate's own interview over the WebSocket", route, expected, f"{sorted(types)}", types == {"status", "question"})
        except Exception as error:  # noqa: BLE001
            self.record("control: the candidate's own interview over the WebSocket", route, expected, f"error: {type(error).__name__}: {error}", False)
        allowed = self.preflight(self.allowed_origin)
        got = allowed.headers.get("access-control-allow-origin")
        self.record(
            "control: CORS preflight from the allowed origin",
            "OPTIONS /api/v1/interviews/start",
            f"Access-Control-Allow-Origin: {self.allowed_origin}",
            f"{allowed.status}, {got}",
            got == self.allowed_origin,
        )

    def attacks(self, p: Parties) -> None:
        """The refusals (run inside the tables' watch: none may write)."""
        g, victim = self.gateway, f"{API}/interviews/{p.victim_interview}"
        get = "GET /api/v1/interviews/:id"
        self.expect("no token", get, 401, lambda: g.request("GET", victim), "UNAUTHENTICATED")
        self.expect("garbage token", get, 401, lambda: g.request("GET", victim, "garbage.not-a.token"), "UNAUTHENTICATED")
        self.expect("expired token (an hour ago)", get, 401, lambda: g.request("GET", victim, p.expired_token), "UNAUTHENTICATED")
        self.expect("alg none, no signature", get, 401, lambda: g.request("GET", victim, p.unsigned_token), "UNAUTHENTICATED")
        no_token_frame = json.dumps({"image": "iVBORw0KGgo=", "format": "png"}).encode()
        self.expect(
            "no token", "POST /api/v1/interviews/:id/frames", 401, lambda: g.request("POST", f"{victim}/frames", body=no_token_frame), "UNAUTHENTICATED"
        )

        other = "another candidate's interview"
        self.expect(other, get, 404, lambda: g.request("GET", victim, p.attacker_token), "NOT_FOUND")
        answer = json.dumps({"question_id": p.victim_question, "transcript": "Written by someone else.", "duration": 30}).encode()
        self.expect(other, "POST /api/v1/interviews/:id/answers", 404, lambda: g.request("POST", f"{victim}/answers", p.attacker_token, answer), "NOT_FOUND")
        self.expect(other, "POST /api/v1/interviews/:id/complete", 404, lambda: g.request("POST", f"{victim}/complete", p.attacker_token), "NOT_FOUND")
        socket_path = f"/ws/interviews/{p.victim_interview}"
        self.expect_closed(other, 4404, lambda: g.session(socket_path, {"type": "auth", "data": {"token": p.attacker_token}}))

        acting = "an interviewer changing an interview"
        self.expect(
            acting, "POST /api/v1/interviews/:id/answers", 403, lambda: g.request("POST", f"{victim}/answers", p.interviewer_token, answer), "PERMISSION_DENIED"
        )
        self.expect(
            acting, "POST /api/v1/interviews/:id/complete", 403, lambda: g.request("POST", f"{victim}/complete", p.interviewer_token), "PERMISSION_DENIED"
        )

        # 17 KiB of JSON where 16 KiB is the bound (a start's body): refused before it is parsed.
        oversized = json.dumps({"categories": ["x" * (17 * 1024)]}).encode()
        self.expect(
            "body of 17 KiB past the 16 KiB bound",
            "POST /api/v1/interviews/start",
            413,
            lambda: g.request("POST", f"{API}/interviews/start", p.victim_token, oversized),
        )

        # A valid token in the URL (where access logs and history keep it) is not taken: the first message must be auth.
        in_url = f"{socket_path}?token={p.victim_token}&access_token={p.victim_token}"
        self.expect_closed("the token in the WebSocket URL, then a ping", 4401, lambda: g.session(in_url, {"type": "ping", "data": {}}))

        refused = self.preflight("https://evil.example")
        got = refused.headers.get("access-control-allow-origin")
        self.record(
            "CORS preflight from an origin not allowed",
            "OPTIONS /api/v1/interviews/start",
            "no Access-Control-Allow-Origin",
            f"{refused.status}, {got or 'none'}",
            got is None,
        )
        answered = g.plaintext(f"{API}/interviews/{p.victim_interview}")
        self.record(
            "plaintext HTTP to the gateway's HTTPS port", "GET /api/v1/interviews/:id", "no HTTP answer", answered, answered.startswith("no HTTP answer")
        )
