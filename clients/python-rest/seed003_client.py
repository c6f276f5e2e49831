"""Seed 003's REST calls (section 4) and WebSocket messages (section 5), exactly as the seed writes them,
against a running gateway; an independent client (requests and websockets), written from the seed and
the gateway's README section, sharing no code with the gateway or its tests.

    GATEWAY_URL=https://127.0.0.1:8080 GATEWAY_CA=.cache/test-tls/ca.crt \\
    FIXTURE_IMAGE=test/fixtures/faces/astronaut.png .cache/venv/bin/python clients/python-rest/seed003_client.py

A candidate signs up and logs in, starts an interview of three questions, reads it, sends a frame of the
fixture photograph, answers the first question and reads the status over REST; then over
`wss://…/ws/interviews/:id` authenticates with its first message, sends a frame, an answer and a ping
and reads the emotion_update, status, question and pong; completes over REST and reads the status. It
prints a conformance table (call, expected, got, ok) and exits 1 on any mismatch.
"""

import base64
import json
import os
import secrets
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from websockets.sync.client import ClientConnection, connect

TIMEOUT_S = 20.0
Json = dict[str, Any]


@dataclass
class Conformance:
    rows: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def check(self, call: str, expected: str, got: str, ok: bool) -> None:
        self.rows.append((call, expected, got, ok))

    def table(self) -> str:
        lines = ["| call | expected | got | ok |", "| --- | --- | --- | --- |"]
        lines += [f"| {call} | {expected} | {got.replace('|', '/')} | {'ok' if ok else 'FAIL'} |" for call, expected, got, ok in self.rows]
        return "\n".join(lines)

    def failed(self) -> int:
        return sum(1 for *_, ok in self.rows if not ok)


def keys(value: Json, *names: str) -> bool:
    return all(name in value for name in names)


class Client:
    def __init__(self, base_url: str, ca_file: str, report: Conformance) -> None:
        self.base = base_url.rstrip("/")
        self.ca_file = ca_file
        self.report = report
        self.http = requests.Session()
        self.token = ""

    def rest(self, method: str, path: str, status: int, check: Callable[[Json], bool], describe: str, *, body: Json | None = None) -> Json:
        """One REST call: its row says whether the status and the body are as expected; returns the body."""
        call = f"{method} {path}"
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self.http.request(method, f"{self.base}{path}", json=body, headers=headers, timeout=TIMEOUT_S, verify=self.ca_file)
            value: Any = response.json() if response.content else {}
        except (requests.RequestException, ValueError) as error:
            self.report.check(call, f"{status}, {describe}", f"error: {type(error).__name__}: {error}", False)
            return {}
        parsed: Json = value if isinstance(value, dict) else {}
        ok = response.status_code == status and check(parsed)
        self.report.check(call, f"{status}, {describe}", f"{response.status_code} {json.dumps(parsed)[:120]}", ok)
        return parsed

    def socket(self, interview_id: str) -> ClientConnection:
        context = ssl.create_default_context(cafile=self.ca_file)
        url = self.base.replace("https://", "wss://", 1) + f"/ws/interviews/{interview_id}"
        return connect(url, ssl=context, open_timeout=TIMEOUT_S, close_timeout=5)


def receive_until(socket: ClientConnection, wanted: set[str], timeout_s: float = TIMEOUT_S) -> dict[str, Json]:
    """Messages until one of each wanted type has come (or the time is up): the first of each type, by type."""
    got: dict[str, Json] = {}
    deadline = time.monotonic() + timeout_s
    while not wanted <= got.keys():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            message: Any = json.loads(socket.recv(timeout=left))
        except TimeoutError:
            break
        if isinstance(message, dict) and isinstance(message.get("data"), dict):
            got.setdefault(str(message.get("type")), message["data"])
    return got


def ws_check(report: Conformance, sent: str, expected: str, got: dict[str, Json], ok: bool) -> None:
    report.check(f"WS {sent}", expected, json.dumps(got)[:160], ok)


def run(base_url: str, ca_file: str, image: bytes) -> Conformance:
    report = Conformance()
    c = Client(base_url, ca_file, report)
    email, password = f"rest-{secrets.token_hex(6)}@example.com", secrets.token_urlsafe(18)
    c.rest("POST", "/api/v1/auth/register", 201, lambda b: keys(b, "user_id"), "user_id", body={"email": email, "password": password})
    tokens = c.rest(
        "POST",
        "/api/v1/auth/login",
        200,
        lambda b: keys(b, "access_token", "refresh_token"),
        "access and refresh tokens",
        body={"email": email, "password": password},
    )
    c.token = str(tokens.get("access_token", ""))

    started = c.rest(
        "POST",
        "/api/v1/interviews/start",
        201,
        lambda b: b.get("state") == "in_progress" and len(b.get("questions", [])) == 3,
        "in_progress, 3 questions",
        body={"question_count": 3},
    )
    interview_id = str(started.get("id", "missing"))
    questions = [str(q.get("id")) for q in started.get("questions", []) if isinstance(q, dict)] or ["missing"] * 3
    path = f"/api/v1/interviews/{interview_id}"
    c.rest("GET", path, 200, lambda b: b.get("id") == interview_id and keys(b, "questions", "state"), "the same interview")
    encoded = base64.b64encode(image).decode("ascii")
    c.rest(
        "POST",
        f"{path}/frames",
        200,
        lambda b: b.get("frame_number") == 1,
        "frame_number 1",
        body={"image": encoded, "format": "png", "timestamp": int(time.time() * 1000)},
    )
    answer = {"question_id": questions[0], "transcript": "My answer...", "duration": 45.5}
    c.rest("POST", f"{path}/answers", 200, lambda b: keys(b, "status"), "status", body=answer)
    c.rest(
        "GET",
        f"{path}/status",
        200,
        lambda b: b.get("state") == "in_progress" and b.get("total_questions") == 3 and b.get("current_question") == 2,
        "in_progress, question 2 of 3",
    )

    try:
        with c.socket(interview_id) as socket:
            socket.send(json.dumps({"type": "auth", "data": {"token": c.token}}))
            got = receive_until(socket, {"status", "question"})
            ok = got.get("status", {}).get("current_question") == 2 and got.get("question", {}).get("id") == questions[1]
            ws_check(report, "auth", "status (question 2 of 3) and question 2", got, ok)

            frame = {"type": "frame", "data": {"session_id": interview_id, "timestamp": int(time.time() * 1000), "image": encoded}}
            socket.send(json.dumps(frame))
            got = receive_until(socket, {"emotion_update"})
            update = got.get("emotion_update", {})
            ok = keys(update, "emotion", "confidence", "timestamp") and isinstance(update.get("confidence"), int | float)
            ws_check(report, "frame", "emotion_update with emotion, confidence, timestamp", got, ok)

            socket.send(json.dumps({"type": "answer", "data": {"question_id": questions[1], "transcript": "My answer...", "duration": 45.5}}))
            got = receive_until(socket, {"status", "question"})
            status = got.get("status", {})
            ok = (
                keys(status, "progress", "current_question", "total_questions")
                and status.get("current_question") == 3
                and got.get("question", {}).get("id") == questions[2]
            )
            ws_check(report, "answer", "status (question 3 of 3) and question 3", got, ok)

            socket.send(json.dumps({"type": "ping", "data": {}}))
            got = receive_until(socket, {"pong"})
            ws_check(report, "ping", "pong", got, "pong" in got)
            socket.close(1000)
    # Any failure of the socket is a row, never a crash.
    except Exception as error:  # noqa: BLE001
        report.check("WS /ws/interviews/:id", "opened, auth, frame, answer, ping answered", f"error: {type(error).__name__}: {error}", False)

    c.rest("POST", f"{path}/complete", 200, lambda b: b.get("state") == "completed", "completed")
    c.rest("GET", f"{path}/status", 200, lambda b: b.get("state") in {"completed", "scoring", "scored"}, "completed (or being scored)")
    return report


def main() -> int:
    base_url = os.environ.get("GATEWAY_URL", "https://127.0.0.1:8080")
    ca_file = os.environ.get("GATEWAY_CA", ".cache/test-tls/ca.crt")
    image = Path(os.environ.get("FIXTURE_IMAGE", "test/fixtures/faces/astronaut.png")).read_bytes()
    report = run(base_url, ca_file, image)
    print(report.table())
    print(f"{len(report.rows) - report.failed()} of {len(report.rows)} as seed 003 writes them")
    return 1 if report.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
