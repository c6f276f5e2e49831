"""The security suite: attacks a running mesh from outside, as an independent client (grpcio and the
generated Python client in clients/python/gen), and prints a Markdown table of what each attack got.

    MESH_INTERVIEW_ADDR=127.0.0.1:50051 MESH_AUTH_ADDR=127.0.0.1:50055 MESH_EMOTION_ADDR=127.0.0.1:50052 \\
    MESH_SCORING_ADDR=127.0.0.1:50053 MESH_NOTIFIER_ADDR=127.0.0.1:50054 \\
    MESH_INTEGRITY_ADDR=127.0.0.1:50057 MESH_TLS_DIR=.data/tls \\
    DATABASE_URL=postgres://... AUTH_KEYS_DIR=... TEST_INVITATION_CODE=... MESH_FIXTURES=test/fixtures/faces \\
    MESH_CONSUL_ADDR=127.0.0.1:8500 MESH_CONSUL_TOKENS='{"services": {"emotion": "...", ...}, "resolver": "..."}' \\
    MESH_AMQP_ADMIN_URL=amqp://guest:...@127.0.0.1:5672/<vhost> MESH_AMQP_URLS='{"interview": "amqp://...", ...}' \\
    MESH_GATEWAY_ADDR=127.0.0.1:8080 MESH_GATEWAY_ORIGIN=https://app.example \\
    .cache/venv/bin/python test/security/attacks.py

(test/security/security-suite.test.ts starts a mesh and runs it so.) The mesh must run with the
default limits (no LIMIT_* variable set) and a fresh database: the floods count from zero. Every
call is TLS (transport.py), trusting the CA of the mesh's TLS directory (MESH_TLS_DIR): as an end
user to the interview and auth services, with the operator's certificate from there to the emotion
service. Groups of attacks:

- transport: plaintext to each port; an internal port without a client certificate, or with one
  from a CA of the suite's own that names the interview service; the certificate of a workload the
  call policy does not allow on each internal RPC (another service's, from MESH_TLS_DIR; the
  operator's on GenerateReport), with controls that the allowed one passes;
- tokens: forged with the mesh's own signing key (AUTH_KEYS_DIR) but wrong in one claim, or built
  by hand (alg none, HS256 keyed with the public key), a deleted user's, refresh tokens replayed;
- ownership: a second candidate, and an interviewer, at the victim's interview, on every RPC;
- bounds: each input just past its bound;
- integrity (integrity_attacks.py): the integrity port as the transport attacks treat the others
  (GetAssessment is scoring's and the operators', AnalyzeFrame the operators'), with controls, then
  its inputs past their bounds;
- report links (report_link_attacks.py): the attacker's own scored interview's report, asked for by
  the victim, and its link (the interview service's HTTPS port) turned towards the victim's
  interview or another format, altered, re-signed, replaced by an access token, expired, over
  plaintext HTTP (MESH_REPORT_LINK_KEY_FILE: the links' key, to forge as the mesh signs);
- consul (consul_attacks.py): the Consul agent the mesh registered in (MESH_CONSUL_ADDR), with ACLs
  on and the mesh's tokens (MESH_CONSUL_TOKENS, JSON: every service's SecretID by name and the
  resolver's, as `npm run consul:provision` made them): rogue registrations under emotion's name
  with another service's token, none, and the resolver's read-only one, a takeover of emotion's
  instance ID, a registration straight into the catalog, emotion deregistered with another
  service's token, each refused (403) with emotion's entries unchanged; a control that emotion's
  own token registers emotion; then every mesh service's catalog entries as before;
- broker (broker_attacks.py): the mesh's RabbitMQ vhost, as the administrator (MESH_AMQP_ADMIN_URL)
  and as each service's own user (MESH_AMQP_URLS, JSON: every service's AMQP URL by name): a
  finished-looking interview.scored for the victim's interview published with notifier's user, with
  scoring's user-id, through the default exchange and the retry exchange, interview.completed with
  emotion's user, emotion reading scoring's queue and binding its own to interview.scored, an
  interview.integrity.flagged with emotion's user, interview.scored with integrity's, integrity
  reading emotion's frames, each
  refused by the broker (403, 406 for the administrator claiming scoring's user-id); the
  administrator's interview.scored without a user-id, which the broker takes, parked by each of its
  consumers, unhandled; a control that scoring's user publishes a key of its own, handled; the
  tables of every service that would act on a forgery unchanged;
- gateway (gateway_attacks.py): the gateway's HTTPS port (MESH_GATEWAY_ADDR, its CORS allow-list's
  origin MESH_GATEWAY_ORIGIN): REST without a token, with a garbage, an expired or an unsigned one,
  another candidate's interview over REST (404) and the WebSocket (closed 4404), an interviewer
  changing an interview (403), a body past its bound (413), the token in the WebSocket's URL, a CORS
  preflight from another origin, plaintext HTTP; controls as the victim. Before the floods: the
  gateway forwards this address, which the interview service then counts;
- limits: floods per user, of frames, of interviews, of streams, and per address, last (they block
  this address for a minute): the interview service's (and, from the refused address, a call naming
  another one in x-forwarded-for, which only the gateway's certificate may), then password guessing against the auth
  service's. Each of the two services counts every call from an address (1,000 a minute, GetJwks
  exempt), so the attacks before those floods make a few hundred calls to each at most.

After each group of refused calls, the tables they could have written are compared with a snapshot
taken before (tables.py): a refused call writes nothing. The table goes to stdout and to
.cache/security-table.md; the exit code is 1 when any row is not as expected.
"""

import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The generated client's modules import each other as top-level modules (protoc's Python output).
sys.path.insert(0, str(REPO / "clients" / "python" / "gen"))

import auth_pb2  # noqa: E402
import auth_pb2_grpc  # noqa: E402
import emotion_pb2  # noqa: E402
import emotion_pb2_grpc  # noqa: E402
import grpc  # noqa: E402
import interview_pb2  # noqa: E402
import interview_pb2_grpc  # noqa: E402
import scoring_pb2  # noqa: E402
import scoring_pb2_grpc  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from broker_attacks import BrokerAttacks, BrokerSettings, Target  # noqa: E402
from consul_attacks import ConsulAttacks, ConsulSettings  # noqa: E402
from gateway_attacks import Gateway, GatewayAttacks, Parties  # noqa: E402
from images import grey_png, padded_png  # noqa: E402
from integrity_attacks import IntegrityAttacks, SuiteHooks  # noqa: E402
from mesh_client import (  # noqa: E402
    DEADLINE_S,
    RATE_LIMIT_EXCEEDED,
    AuthStub,
    EmotionStub,
    InterviewStream,
    InterviewStub,
    Mesh,
    Outcome,
    ScoringStub,
    User,
    bearer,
    outcome_of,
    stream_errors,
)
from report import Row, Verdict, markdown  # noqa: E402
from report_link_attacks import ReportLinkAttacks  # noqa: E402
from tables import Tables, Watch  # noqa: E402
from tokens import Forger, load_signing_key, unverified_claims, with_payload  # noqa: E402
from transport import OPERATOR, KeyPair, TlsFiles, foreign_pair, health_check, service_id  # noqa: E402

Code = grpc.StatusCode
TABLE_FILE = REPO / ".cache" / "security-table.md"

MIB = 1024 * 1024
# The contract's bounds (src/platform/contracts/bounds.ts) and the interview service's question_count.
ANSWER_CHARS = 50_000
CATEGORIES = 10
CATEGORY_CHARS = 64
FRAME_BYTES = 8 * MIB
FRAME_SIDE = 4096
MESSAGE_BYTES = 9 * MIB
BATCH_FRAMES = 32
MAX_QUESTION_COUNT = 20


@dataclass(frozen=True)
class Limit:
    name: str
    max: int


# The rate limits' defaults.
PER_USER = Limit("requests_per_user_per_minute", 100)
PER_ADDRESS = Limit("requests_per_address_per_minute", 1000)
FRAMES = Limit("frames_per_interview_per_second", 10)
INTERVIEWS = Limit("interviews_per_user_per_hour", 20)
STREAMS = Limit("streams_per_user", 3)

FRAME_FLOOD = FRAMES.max + 2
# A per-address flood stops here even when nothing refuses it: two windows' worth.
ADDRESS_FLOOD_CAP = 2 * PER_ADDRESS.max
# Calls of each user in the per-address flood: under the per-user limit, so only the address's is hit.
ADDRESS_FLOOD_CALLS_PER_USER = 90
# The address a client that is not the gateway claims to call for (x-forwarded-for): TEST-NET-3, nobody's.
FORGED_ADDRESS = "203.0.113.7"
DELETION_WAIT_S = 15.0
# An interview of one answer is scored in well under a second; the text model may still be loading.
SCORING_WAIT_S = 60.0
STREAM_WAIT_S = 20.0


@dataclass(frozen=True)
class Settings:
    interview_addr: str
    auth_addr: str
    emotion_addr: str
    scoring_addr: str
    notifier_addr: str
    integrity_addr: str
    tls: TlsFiles
    database_url: str
    keys_dir: Path
    invitation_code: str
    fixtures: Path
    report_link_key: Path
    consul: ConsulSettings
    broker: BrokerSettings
    gateway_addr: str
    gateway_origin: str

    @staticmethod
    def from_env() -> "Settings":
        def need(name: str) -> str:
            value = os.environ.get(name)
            if not value:
                raise SystemExit(f"{name} is not set: see test/security/attacks.py's docstring")
            return value

        return Settings(
            interview_addr=need("MESH_INTERVIEW_ADDR"),
            auth_addr=need("MESH_AUTH_ADDR"),
            emotion_addr=need("MESH_EMOTION_ADDR"),
            scoring_addr=need("MESH_SCORING_ADDR"),
            notifier_addr=need("MESH_NOTIFIER_ADDR"),
            integrity_addr=need("MESH_INTEGRITY_ADDR"),
            tls=TlsFiles(Path(need("MESH_TLS_DIR"))),
            database_url=need("DATABASE_URL"),
            keys_dir=Path(need("AUTH_KEYS_DIR")),
            invitation_code=need("TEST_INVITATION_CODE"),
            fixtures=Path(need("MESH_FIXTURES")),
            report_link_key=Path(need("MESH_REPORT_LINK_KEY_FILE")),
            consul=ConsulSettings.parse(need("MESH_CONSUL_ADDR"), need("MESH_CONSUL_TOKENS")),
            broker=BrokerSettings.parse(need("MESH_AMQP_ADMIN_URL"), need("MESH_AMQP_URLS")),
            gateway_addr=need("MESH_GATEWAY_ADDR"),
            gateway_origin=need("MESH_GATEWAY_ORIGIN"),
        )


def limited(limit: Limit) -> str:
    return f"RESOURCE_EXHAUSTED ({RATE_LIMIT_EXCEEDED}, limit={limit.name}, retry > 0 s)"


def summary(outcomes: list[Outcome]) -> str:
    """`10 OK, 2 RESOURCE_EXHAUSTED (...)`: how many calls ended each way."""
    counts = Counter(outcome.describe(exact=False) for outcome in outcomes)
    return ", ".join(f"{count} {text}" for text, count in counts.items())


def answer_request(
    interview: interview_pb2.Interview, question: int, transcript: str = "I would measure first, then change one thing at a time."
) -> interview_pb2.SubmitAnswerRequest:
    return interview_pb2.SubmitAnswerRequest(
        interview_id=interview.id, question_id=interview.questions[question].id, transcript=transcript, duration_seconds=30, confidence=0.9
    )


def say(text: str) -> None:
    print(f"[security] {text}", file=sys.stderr, flush=True)


class Suite:
    def __init__(self, settings: Settings, mesh: Mesh, tables: Tables) -> None:
        self.settings = settings
        self.mesh = mesh
        self.tables = tables
        self.rows: list[Row] = []
        self.face = (settings.fixtures / "astronaut.png").read_bytes()
        self.small_frame = grey_png(16, 16)
        hooks = SuiteHooks(expect=self.expect, expect_refused_handshake=self.expect_refused_handshake, over=self.over)
        self.integrity = IntegrityAttacks(settings.integrity_addr, settings.tls, self.face, hooks)

    # -- rows ---------------------------------------------------------------------------------

    def record(self, attack: str, rpc: str, expected: str, got: str, passed: bool) -> None:
        verdict: Verdict = "ok" if passed else "FAIL"
        self.rows.append(Row(attack, rpc, expected, got, verdict))

    def expect(self, attack: str, rpc: str, code: grpc.StatusCode, outcome: Outcome) -> None:
        self.record(attack, rpc, str(code.name), self.got(outcome, outcome.code == code), outcome.code == code)

    def expect_limited(self, attack: str, rpc: str, limit: Limit, outcome: Outcome) -> None:
        passed = outcome.rate_limited_by(limit.name)
        self.record(attack, rpc, limited(limit), self.got(outcome, passed), passed)

    @staticmethod
    def got(outcome: Outcome, passed: bool) -> str:
        """The outcome, with the server's message when it is not the one expected (what went wrong)."""
        return outcome.describe() if passed or not outcome.details else f"{outcome.describe()}: {outcome.details[:160]}"

    def not_attacked(self, attack: str, rpc: str, expected: str, reason: str) -> None:
        self.rows.append(Row(attack, rpc, expected, reason, "not attacked"))

    def tables_row(self, watch: Watch) -> None:
        changes = "; ".join(watch.changes)
        got = changes or f"unchanged ({watch.watched} counts and interviews, {watch.brackets} snapshot pairs)"
        self.record(f"tables unchanged by refused calls: {watch.group}", "(database)", "no row count or watched interview changed", got, not watch.changes)

    @contextmanager
    def attempt(self, attack: str, rpc: str, expected: str) -> Iterator[None]:
        """Runs an attack; an exception (a set-up call that failed, a stream that never answered) is its FAIL row."""
        recorded = len(self.rows)
        try:
            yield
        # Any failure of an attack is a row of the table, never a crash.
        except Exception as error:  # noqa: BLE001
            done = any(row.attack == attack and row.rpc == rpc for row in self.rows[recorded:])
            self.record(f"{attack} (aborted)" if done else attack, rpc, expected, f"error: {type(error).__name__}: {error}", False)

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> None:
        self.set_up()
        groups: list[tuple[str, Callable[[], None]]] = [
            ("transport attacks", self.transport_attacks),
            ("token attacks", self.token_attacks),
            ("ownership attacks", self.ownership_attacks),
            ("bounds attacks", self.bound_attacks),
            ("integrity attacks", self.integrity_attacks),
            ("account attacks", self.account_attacks),
            ("report link attacks", self.report_link_attacks),
            ("consul attacks", self.consul_attacks),
            ("broker attacks", self.broker_attacks),
            # Before the floods: the gateway forwards this address, which they leave refused for a minute.
            ("gateway attacks", self.gateway_attacks),
            ("limit floods", self.limit_floods),
        ]
        for name, group in groups:
            say(f"{name} ({self.mesh.calls_made()} so far)")
            with self.attempt(f"{name} (group)", "-", "every attack of the group run"):
                group()

    def set_up(self) -> None:
        """A victim whose interview has a frame and an answer, an attacker with an interview of their own, an interviewer."""
        m = self.mesh
        self.victim = m.sign_up(auth_pb2.ROLE_CANDIDATE)
        self.attacker = m.sign_up(auth_pb2.ROLE_CANDIDATE)
        self.interviewer = m.sign_up(auth_pb2.ROLE_INTERVIEWER, self.settings.invitation_code)
        self.victim_interview = m.start_interview(self.victim)
        self.attacker_interview = m.start_interview(self.attacker)
        frame = interview_pb2.SendFrameRequest(interview_id=self.victim_interview.id, image_data=self.face, format="png")
        m.call(m.interview.SendFrame, frame, self.victim.access_token).value(interview_pb2.SendFrameResponse)
        m.call(m.interview.SubmitAnswer, answer_request(self.victim_interview, 0), self.victim.access_token).value(interview_pb2.SubmitAnswerResponse)
        self.tables.watch_interview(self.victim_interview.id)
        self.tables.watch_interview(self.attacker_interview.id)
        self.forger = Forger(load_signing_key(self.settings.keys_dir), self.attacker.access_token)

    # -- transport ----------------------------------------------------------------------------

    def expect_refused_handshake(self, attack: str, rpc: str, outcome: Outcome) -> None:
        """UNAVAILABLE because no TLS connection came about (grpcio: "failed to connect"), not a server's answer."""
        passed = outcome.code == Code.UNAVAILABLE and "failed to connect" in outcome.details
        reason = outcome.details.rsplit(": ", 1)[-1] if outcome.details else ""
        got = f"{outcome.describe()} ({reason})" if passed else self.got(outcome, passed)
        self.record(attack, rpc, "UNAVAILABLE (no connection: the handshake is refused)", got, passed)

    @staticmethod
    def over(channel: grpc.Channel, call: Callable[[grpc.Channel], object]) -> Outcome:
        """`call` on `channel`, which it then closes."""
        try:
            return outcome_of(lambda: call(channel))
        finally:
            channel.close()

    def transport_attacks(self) -> None:
        """Every port is TLS; the internal ones (emotion, scoring, notifier) admit only certificates of
        the mesh's CA, and the call policy allows each RPC to the workloads it names. Each request is
        otherwise valid, and those that would write (a user, an interview, a session's blink track)
        are watched: refused, they write nothing."""
        s, tls = self.settings, self.settings.tls
        token = self.attacker.access_token
        # A session of the suite's own: AnalyzeFrame, DetectBlink and AnalyzeBatch track its blinks (a row) when they run.
        session = f"security-transport-{uuid.uuid4()}"
        frame = emotion_pb2.FrameRequest(session_id=session, image_data=self.face, format="png", timestamp=int(time.time() * 1000))
        batch = emotion_pb2.BatchRequest(session_id=session, frames=[frame])
        report = scoring_pb2.ReportRequest(session_id=self.victim_interview.id, include_emotions=True)
        answer = scoring_pb2.AnswerRequest(question="How does TLS authenticate a client?", answer="With a certificate its CA signed.", category="technical")
        score = scoring_pb2.ScoreRequest(
            session_id=session, answers=[scoring_pb2.Answer(question_id="q1", question=answer.question, transcript=answer.answer, category="technical")]
        )

        def interview(channel: grpc.Channel) -> InterviewStub:
            stub: InterviewStub = interview_pb2_grpc.InterviewServiceStub(channel)
            return stub

        def auth(channel: grpc.Channel) -> AuthStub:
            stub: AuthStub = auth_pb2_grpc.AuthServiceStub(channel)
            return stub

        def emotion(channel: grpc.Channel) -> EmotionStub:
            stub: EmotionStub = emotion_pb2_grpc.EmotionServiceStub(channel)
            return stub

        def scoring(channel: grpc.Channel) -> ScoringStub:
            stub: ScoringStub = scoring_pb2_grpc.ScoringServiceStub(channel)
            return stub

        def analyze_batch(channel: grpc.Channel) -> list[emotion_pb2.EmotionResponse]:
            return list(emotion(channel).AnalyzeBatch(batch, timeout=DEADLINE_S))

        register = auth_pb2.RegisterRequest(email=f"security-{uuid.uuid4()}@example.com", password="plaintext-password-1", role=auth_pb2.ROLE_CANDIDATE)
        emotion_calls: dict[str, Callable[[grpc.Channel], object]] = {
            "AnalyzeFrame": lambda channel: emotion(channel).AnalyzeFrame(frame, timeout=DEADLINE_S),
            "AnalyzeBatch": analyze_batch,
            "DetectFace": lambda channel: emotion(channel).DetectFace(frame, timeout=DEADLINE_S),
            "DetectBlink": lambda channel: emotion(channel).DetectBlink(frame, timeout=DEADLINE_S),
        }
        scoring_calls: dict[str, Callable[[grpc.Channel], object]] = {
            "CalculateScore": lambda channel: scoring(channel).CalculateScore(score, timeout=DEADLINE_S),
            "AnalyzeAnswer": lambda channel: scoring(channel).AnalyzeAnswer(answer, timeout=DEADLINE_S),
            "GenerateReport": lambda channel: scoring(channel).GenerateReport(report, timeout=DEADLINE_S),
        }

        def health(channel: grpc.Channel) -> bytes:
            return health_check(channel, DEADLINE_S)

        interview_of, auth_of = tls.workload("interview"), tls.workload("auth")

        def as_workload(address: str, client: KeyPair | None, call: Callable[[grpc.Channel], object]) -> Outcome:
            return self.over(tls.channel(address, client), call)

        watch = Watch(self.tables, "transport attacks", extra_tables=[("emotion", "blink_tracks")])
        with watch.around():
            # Plaintext: no TLS handshake, so no connection, on any port (a valid token or request changes nothing).
            start = interview_pb2.StartInterviewRequest(question_count=1)
            plaintext: list[tuple[str, str, str, Callable[[grpc.Channel], object]]] = [
                (
                    "interview",
                    s.interview_addr,
                    "StartInterview",
                    lambda channel: interview(channel).StartInterview(start, metadata=bearer(token), timeout=DEADLINE_S),
                ),
                ("auth", s.auth_addr, "Register", lambda channel: auth(channel).Register(register, timeout=DEADLINE_S)),
                ("emotion", s.emotion_addr, "AnalyzeFrame", emotion_calls["AnalyzeFrame"]),
                ("scoring", s.scoring_addr, "GenerateReport", scoring_calls["GenerateReport"]),
                ("notifier", s.notifier_addr, "Health/Check", health),
            ]
            for port, address, rpc, call in plaintext:
                self.expect_refused_handshake(f"plaintext to the {port} port", rpc, self.over(grpc.insecure_channel(address), call))

            # The internal ports: TLS trusting the mesh's CA but no client certificate (an end user's channel).
            no_certificate = "no client certificate at an internal port"
            self.expect_refused_handshake(no_certificate, "AnalyzeFrame", as_workload(s.emotion_addr, None, emotion_calls["AnalyzeFrame"]))
            self.expect_refused_handshake(no_certificate, "GenerateReport", as_workload(s.scoring_addr, None, scoring_calls["GenerateReport"]))
            self.expect_refused_handshake(no_certificate, "Health/Check", as_workload(s.notifier_addr, None, health))

            # A certificate naming the interview service, from a CA of the suite's own under the mesh CA's name.
            foreign = foreign_pair(service_id("interview"))
            impostor = "client certificate of another CA, naming the interview service"
            self.expect_refused_handshake(impostor, "AnalyzeFrame", as_workload(s.emotion_addr, foreign, emotion_calls["AnalyzeFrame"]))
            self.expect_refused_handshake(impostor, "GenerateReport", as_workload(s.scoring_addr, foreign, scoring_calls["GenerateReport"]))

            # Certificates of the mesh's CA, of a workload the call policy does not name for the RPC.
            denied = Code.PERMISSION_DENIED
            self.expect(
                "auth's certificate (a service the policy names nowhere)",
                "AnalyzeFrame",
                denied,
                as_workload(s.emotion_addr, auth_of, emotion_calls["AnalyzeFrame"]),
            )
            for rpc in ("AnalyzeBatch", "DetectFace", "DetectBlink"):
                self.expect("interview's certificate (operators' RPC)", rpc, denied, as_workload(s.emotion_addr, interview_of, emotion_calls[rpc]))
            for rpc in ("CalculateScore", "AnalyzeAnswer"):
                self.expect("interview's certificate (operators' RPC)", rpc, denied, as_workload(s.scoring_addr, interview_of, scoring_calls[rpc]))
            operator = tls.workload(OPERATOR)
            self.expect(
                "the operator's certificate (the interview service's RPC)",
                "GenerateReport",
                denied,
                as_workload(s.scoring_addr, operator, scoring_calls["GenerateReport"]),
            )

            # Controls: the workload the policy names passes it (the victim's interview is not scored yet: NOT_FOUND).
            untracked = emotion_pb2.FrameRequest(image_data=self.face, format="png")
            allowed = "control: interview's certificate, allowed"
            self.expect(
                allowed,
                "AnalyzeFrame",
                Code.OK,
                as_workload(s.emotion_addr, interview_of, lambda channel: emotion(channel).AnalyzeFrame(untracked, timeout=DEADLINE_S)),
            )
            self.expect(allowed, "GenerateReport", Code.NOT_FOUND, as_workload(s.scoring_addr, interview_of, scoring_calls["GenerateReport"]))
            tracked = self.tables.blink_track_exists(session)
            self.record(
                "no blink track of the attacks' session", "AnalyzeFrame, AnalyzeBatch, DetectBlink", "none", "written" if tracked else "none", not tracked
            )
        self.tables_row(watch)

    # -- tokens -------------------------------------------------------------------------------

    def token_attacks(self) -> None:
        """GetInterview on the attacker's own interview, so that only the token is wrong."""
        m, forge = self.mesh, self.forger
        get, rpc = m.interview.GetInterview, "GetInterview"
        own = interview_pb2.GetInterviewRequest(interview_id=self.attacker_interview.id)
        watch = Watch(self.tables, "token attacks")
        with watch.around():
            # The suite forges as the auth service signs: a token right in every claim passes.
            self.expect("control: a forged token right in every claim", rpc, Code.OK, m.call(get, own, forge.sign(forge.claims())))
            now = int(time.time())
            forged: list[tuple[str, str | None]] = [
                ("no token", None),
                ("expired token (an hour ago)", forge.sign(forge.claims(iat=now - 4500, exp=now - 3600))),
                ("token not yet valid (nbf in an hour)", forge.sign(forge.claims(nbf=now + 3600))),
                ("wrong audience", forge.sign(forge.claims(aud="another-service"))),
                ("wrong issuer", forge.sign(forge.claims(iss="https://issuer.example"))),
                ("alg none, no signature", forge.unsigned(forge.claims())),
                ("signed by a key of the attacker's own under the mesh's kid", forge.sign(forge.claims(), key=Ed25519PrivateKey.generate())),
                ("typ JWT instead of at+jwt", forge.sign(forge.claims(), typ="JWT")),
                ("unknown role (admin)", forge.sign(forge.claims(role="admin"))),
            ]
            for attack, token in forged:
                self.expect(attack, rpc, Code.UNAUTHENTICATED, m.call(get, own, token))

            genuine = self.attacker.access_token
            tampered = with_payload(genuine, {**unverified_claims(genuine), "sub": self.victim.user_id})
            victims = interview_pb2.GetInterviewRequest(interview_id=self.victim_interview.id)
            self.expect("tampered payload: sub = the victim, signature kept (victim's interview)", rpc, Code.UNAUTHENTICATED, m.call(get, victims, tampered))

            outcomes = {form: m.call(get, own, forge.hs256(forge.claims(), secret)) for form, secret in forge.public_key_secrets().items()}
            got = ", ".join(f"{form}: {outcome.describe()}" for form, outcome in outcomes.items())
            refused = all(outcome.code == Code.UNAUTHENTICATED for outcome in outcomes.values())
            self.record("HS256 keyed with the public key (raw, PEM, JWK x)", rpc, "UNAUTHENTICATED", got, refused)
        self.tables_row(watch)

    # -- ownership ----------------------------------------------------------------------------

    def ownership_attacks(self) -> None:
        """The attacker, then an interviewer, at the victim's interview: every request otherwise valid."""
        m = self.mesh
        victim_id = self.victim_interview.id
        answer = answer_request(self.victim_interview, 1)
        frame = interview_pb2.SendFrameRequest(interview_id=victim_id, image_data=self.face, format="png")
        complete = interview_pb2.CompleteInterviewRequest(interview_id=victim_id)
        attacker, interviewer = self.attacker.access_token, self.interviewer.access_token
        watch = Watch(self.tables, "ownership attacks")
        with watch.around():
            start_as_victim = interview_pb2.StartInterviewRequest(candidate_id=self.victim.user_id, question_count=1)
            self.expect(
                "the victim's id as candidate_id", "StartInterview", Code.PERMISSION_DENIED, m.call(m.interview.StartInterview, start_as_victim, attacker)
            )
            # Each RPC's call on the victim's interview, with the token of the one attacking.
            calls: dict[str, Callable[[str], Outcome]] = {
                "StartInterview": lambda token: m.call(m.interview.StartInterview, interview_pb2.StartInterviewRequest(question_count=1), token),
                "GetInterview": lambda token: m.call(m.interview.GetInterview, interview_pb2.GetInterviewRequest(interview_id=victim_id), token),
                "SubmitAnswer": lambda token: m.call(m.interview.SubmitAnswer, answer, token),
                "SendFrame": lambda token: m.call(m.interview.SendFrame, frame, token),
                "CompleteInterview": lambda token: m.call(m.interview.CompleteInterview, complete, token),
                "GetInterviewStatus": lambda token: m.call(
                    m.interview.GetInterviewStatus, interview_pb2.GetInterviewStatusRequest(interview_id=victim_id), token
                ),
                "GetReport": lambda token: m.call(m.interview.GetReport, interview_pb2.GetReportRequest(interview_id=victim_id, include_emotions=True), token),
            }
            other = "another candidate's interview"
            for rpc in ("GetInterview", "SubmitAnswer", "SendFrame", "CompleteInterview", "GetInterviewStatus", "GetReport"):
                self.expect(other, rpc, Code.NOT_FOUND, calls[rpc](attacker))
            self.expect(other, "StreamInterview", Code.NOT_FOUND, self.stream_opening(attacker, victim_id))

            acting = "an interviewer acting as the candidate"
            for rpc in ("StartInterview", "SubmitAnswer", "SendFrame", "CompleteInterview"):
                self.expect(acting, rpc, Code.PERMISSION_DENIED, calls[rpc](interviewer))
            self.expect(acting, "StreamInterview", Code.PERMISSION_DENIED, self.stream_opening(interviewer, victim_id))
        self.tables_row(watch)

    def stream_opening(self, token: str, interview_id: str) -> Outcome:
        """How a stream ends whose first event names `interview_id` and carries a frame (then half-closed)."""
        stream = self.mesh.stream(token, timeout_s=STREAM_WAIT_S)
        frame = interview_pb2.StreamFrame(image_data=self.face, format="png")
        stream.send(interview_pb2.StreamInterviewRequest(interview_id=interview_id, frame=frame))
        stream.close()
        ended = stream.end(STREAM_WAIT_S + 5)
        if ended is None:
            stream.cancel()
            raise TimeoutError("the stream neither answered nor ended")
        return ended

    # -- bounds -------------------------------------------------------------------------------

    def bound_attacks(self) -> None:
        """Each input just past its bound, on the attacker's own interview."""
        m, token = self.mesh, self.attacker.access_token
        own = self.attacker_interview

        def start(question_count: int, categories: Sequence[str] = ()) -> Outcome:
            return m.call(m.interview.StartInterview, interview_pb2.StartInterviewRequest(question_count=question_count, categories=categories), token)

        def frame(image: bytes) -> Outcome:
            return m.call(m.interview.SendFrame, interview_pb2.SendFrameRequest(interview_id=own.id, image_data=image, format="png"), token)

        watch = Watch(self.tables, "bounds attacks")
        with watch.around():
            long_answer = answer_request(own, 0, "x" * (ANSWER_CHARS + 1))
            self.expect("answer transcript of 50,001 characters", "SubmitAnswer", Code.RESOURCE_EXHAUSTED, m.call(m.interview.SubmitAnswer, long_answer, token))
            categories = [f"category-{n}" for n in range(CATEGORIES + 1)]
            self.expect("11 categories", "StartInterview", Code.RESOURCE_EXHAUSTED, start(question_count=1, categories=categories))
            self.expect(
                "a category of 65 characters", "StartInterview", Code.RESOURCE_EXHAUSTED, start(question_count=1, categories=["c" * (CATEGORY_CHARS + 1)])
            )
            self.expect("question_count 21", "StartInterview", Code.INVALID_ARGUMENT, start(question_count=MAX_QUESTION_COUNT + 1))
            # The edge checks the size before reading the header: a PNG signature and padding suffice.
            self.expect("frame of 8 MiB + 1 byte (a PNG, then padding)", "SendFrame", Code.RESOURCE_EXHAUSTED, frame(padded_png(FRAME_BYTES + 1)))
            self.expect("frame of 4097 x 4097 pixels (a 17 KB PNG)", "SendFrame", Code.RESOURCE_EXHAUSTED, frame(grey_png(FRAME_SIDE + 1, FRAME_SIDE + 1)))
            self.expect("request message of 9 MiB + 1 KiB (gRPC's bound)", "SendFrame", Code.RESOURCE_EXHAUSTED, frame(padded_png(MESSAGE_BYTES + 1024)))
            with self.attempt("stream frame of 8 MiB + 1 byte", "StreamInterview", "error event RESOURCE_EXHAUSTED, then a pong"):
                self.stream_frame_past_bound(token, own.id)
            batch = emotion_pb2.BatchRequest(
                session_id="security-suite",
                frames=[emotion_pb2.FrameRequest(image_data=self.small_frame, format="png", timestamp=n + 1) for n in range(BATCH_FRAMES + 1)],
            )
            self.expect("AnalyzeBatch of 33 frames (emotion, directly)", "AnalyzeBatch", Code.RESOURCE_EXHAUSTED, m.analyze_batch(batch))
        self.tables_row(watch)
        self.not_attacked(
            "frame 7,201 of one interview",
            "SendFrame",
            "RESOURCE_EXHAUSTED",
            "12 minutes of frames at the 10 a second the frame limit allows; test/unit/interview/edge-bounds.test.ts",
        )
        self.not_attacked("stream open past 3 hours", "StreamInterview", "RESOURCE_EXHAUSTED", "3 hours; test/unit/interview/stream-bounds.test.ts")
        self.not_attacked("stream silent for 5 minutes", "StreamInterview", "RESOURCE_EXHAUSTED", "5 minutes; test/unit/interview/stream-bounds.test.ts")

    def integrity_attacks(self) -> None:
        """The integrity port (integrity_attacks.py): the transport refusals and the call policy's controls, then
        each input past its bound; AnalyzeFrame changes no session and GetAssessment only reads, so its tables stay as they were."""
        watch = Watch(self.tables, "integrity attacks", extra_tables=self.tables.tables_of("integrity"))
        with watch.around():
            self.integrity.transport(unknown_session=f"security-integrity-{uuid.uuid4()}")
            self.integrity.bounds()
        self.tables_row(watch)

    def stream_frame_past_bound(self, token: str, interview_id: str) -> None:
        attack, rpc, expected = "stream frame of 8 MiB + 1 byte", "StreamInterview", "error event RESOURCE_EXHAUSTED, then a pong"
        stream = self.mesh.stream(token, timeout_s=60)
        try:
            if not stream.ping(1, interview_id=interview_id)[1]:
                raise RuntimeError(f"the stream did not open: {stream.ended.describe() if stream.ended else 'no answer'}")
            stream.send(interview_pb2.StreamInterviewRequest(frame=interview_pb2.StreamFrame(image_data=padded_png(FRAME_BYTES + 1), format="png")))
            events, goes_on = stream.ping(2)
            error = next(stream_errors(events), None)
            got = (f"error event {error.code}" if error else "no error event") + (", then a pong" if goes_on else ", no pong")
            self.record(attack, rpc, expected, got, error is not None and error.code == "RESOURCE_EXHAUSTED" and goes_on)
        finally:
            stream.close()
            stream.end(10)

    # -- accounts -----------------------------------------------------------------------------

    def account_attacks(self) -> None:
        with self.attempt("access token of a deleted user", "GetInterview", f"UNAUTHENTICATED within {DELETION_WAIT_S:.0f} s of DeleteAccount"):
            self.deleted_user()
        with self.attempt("refresh token spent twice", "Refresh", "UNAUTHENTICATED"):
            self.refresh_reuse()

    def deleted_user(self) -> None:
        """A user deletes their account: the access token they still hold stops working once the interview service knows."""
        m = self.mesh
        attack, rpc, expected = "access token of a deleted user", "GetInterview", f"UNAUTHENTICATED within {DELETION_WAIT_S:.0f} s of DeleteAccount"
        user = m.sign_up(auth_pb2.ROLE_CANDIDATE)
        request = interview_pb2.GetInterviewRequest(interview_id=m.start_interview(user, 1).id)
        m.call(m.interview.GetInterview, request, user.access_token).value(interview_pb2.Interview)
        deleted = m.call(m.auth.DeleteAccount, auth_pb2.DeleteAccountRequest(email=user.email, password=user.password))
        if not deleted.ok:
            self.record(attack, rpc, expected, f"DeleteAccount itself: {deleted.describe()}", False)
        else:
            started = time.monotonic()
            while True:
                outcome = m.call(m.interview.GetInterview, request, user.access_token)
                waited = time.monotonic() - started
                if outcome.code == Code.UNAUTHENTICATED or waited > DELETION_WAIT_S:
                    break
                time.sleep(0.5)
            got = f"{outcome.describe()} after {waited:.1f} s"
            self.record(attack, rpc, expected, got, outcome.code == Code.UNAUTHENTICATED)
        refresh = m.call(m.auth.Refresh, auth_pb2.RefreshRequest(refresh_token=user.refresh_token))
        self.expect("refresh token of a deleted user", "Refresh", Code.UNAUTHENTICATED, refresh)

    def refresh_reuse(self) -> None:
        """A refresh token presented again (stolen and replayed): refused, and its family with it."""
        m = self.mesh
        login = m.call(m.auth.Login, auth_pb2.LoginRequest(email=self.attacker.email, password=self.attacker.password)).value(auth_pb2.TokenPair)
        first = m.call(m.auth.Refresh, auth_pb2.RefreshRequest(refresh_token=login.refresh_token)).value(auth_pb2.TokenPair)
        watch = Watch(self.tables, "refresh-token reuse")
        with watch.around():
            again = m.call(m.auth.Refresh, auth_pb2.RefreshRequest(refresh_token=login.refresh_token))
            self.expect("refresh token spent twice", "Refresh", Code.UNAUTHENTICATED, again)
            successor = m.call(m.auth.Refresh, auth_pb2.RefreshRequest(refresh_token=first.refresh_token))
            self.expect("refresh token of the family its reuse revoked", "Refresh", Code.UNAUTHENTICATED, successor)
        self.tables_row(watch)

    # -- report links -------------------------------------------------------------------------

    def report_link_attacks(self) -> None:
        """The attacker's own interview, answered, completed and scored; its report's PDF and link
        (GetReport), which the victim may not have; then the link turned against the victim's
        interview, altered, forged and expired (report_link_attacks.py). A refused link makes no
        document (scoring.report_documents) and writes nothing."""
        m = self.mesh
        own = m.start_interview(self.attacker, 1)
        m.call(m.interview.SubmitAnswer, answer_request(own, 0), self.attacker.access_token).value(interview_pb2.SubmitAnswerResponse)
        m.call(m.interview.CompleteInterview, interview_pb2.CompleteInterviewRequest(interview_id=own.id), self.attacker.access_token).value(
            interview_pb2.Interview
        )
        status = interview_pb2.GetInterviewStatusRequest(interview_id=own.id)
        deadline = time.monotonic() + SCORING_WAIT_S

        def state() -> int:
            return m.call(m.interview.GetInterviewStatus, status, self.attacker.access_token).value(interview_pb2.InterviewStatus).state

        while state() != interview_pb2.INTERVIEW_STATE_SCORED:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the attacker's interview was not scored in {SCORING_WAIT_S:.0f} s")
            time.sleep(0.25)
        pdf = interview_pb2.GetReportRequest(interview_id=own.id, include_emotions=True, format=interview_pb2.REPORT_FORMAT_PDF)
        report = m.call(m.interview.GetReport, pdf, self.attacker.access_token).value(interview_pb2.Report)
        self.tables.watch_interview(own.id)
        watch = Watch(self.tables, "report links", extra_tables=[("scoring", "report_documents")])
        with watch.around():
            theirs = m.call(m.interview.GetReport, pdf, self.victim.access_token)
            self.expect("another candidate's scored interview, as a PDF", "GetReport", Code.NOT_FOUND, theirs)
            ReportLinkAttacks(self.record, self.settings.tls.dir / "ca.crt", self.settings.report_link_key).run(
                report.report_url, self.victim_interview.id, self.attacker.access_token
            )
        self.tables_row(watch)

    # -- consul -------------------------------------------------------------------------------

    def consul_attacks(self) -> None:
        """The mesh's registrations in Consul, attacked with its own tokens (consul_attacks.py)."""
        ConsulAttacks(self.settings.consul, self.record).run()

    # -- broker -------------------------------------------------------------------------------

    def broker_attacks(self) -> None:
        """Forged events on the mesh's vhost (broker_attacks.py). Watched: every table of the services that act on
        interview.scored and interview.completed, the emotion service's, and the interview service's inbox."""
        t = self.tables
        watched = [("interview", "inbox"), ("interview", "deleted_users"), *t.tables_of("scoring"), *t.tables_of("notifier"), *t.tables_of("emotion")]
        watch = Watch(t, "broker attacks", extra_tables=watched)
        BrokerAttacks(self.settings.broker, self.record, t).run(watch, Target(self.victim_interview.id, self.victim.user_id))
        self.tables_row(watch)

    # -- limits -------------------------------------------------------------------------------

    # -- gateway ------------------------------------------------------------------------------

    def gateway_attacks(self) -> None:
        """The gateway's REST and WebSocket (gateway_attacks.py): controls as the victim, then the
        refusals, which write nothing; the tokens forged as in the token attacks."""
        now = int(time.time())
        parties = Parties(
            victim_token=self.victim.access_token,
            victim_interview=self.victim_interview.id,
            victim_question=self.victim_interview.questions[1].id,
            attacker_token=self.attacker.access_token,
            interviewer_token=self.interviewer.access_token,
            expired_token=self.forger.sign(self.forger.claims(iat=now - 3900, exp=now - 3600)),
            unsigned_token=self.forger.unsigned(self.forger.claims()),
        )
        gateway = GatewayAttacks(self.record, Gateway(self.settings.gateway_addr, self.settings.tls.dir / "ca.crt"), self.settings.gateway_origin)
        gateway.controls(parties)
        watch = Watch(self.tables, "gateway attacks")
        with watch.around():
            gateway.attacks(parties)
        self.tables_row(watch)

    def limit_floods(self) -> None:
        watch = Watch(self.tables, "limit floods")
        floods: list[tuple[str, str, str, Callable[[Watch], None]]] = [
            ("flood per user: 101 calls in a minute", "GetInterviewStatus", f"call 101: {limited(PER_USER)}", self.flood_per_user),
            ("flood of frames: 12 SendFrame at once", "SendFrame", f"at most 10 OK, the rest {limited(FRAMES)}", self.flood_frames),
            ("flood of interviews: 21 starts", "StartInterview", f"start 21: {limited(INTERVIEWS)}", self.flood_interviews),
            ("flood of streams: 4 open at once", "StreamInterview", f"the 4th ends {limited(STREAMS)}", self.flood_streams),
            ("flood per address: users until refused", "GetInterviewStatus", limited(PER_ADDRESS), self.flood_per_address),
            ("password guessing per address: Login until refused", "Login", limited(PER_ADDRESS), self.guess_passwords),
        ]
        for attack, rpc, expected, flood in floods:
            say(f"{attack} ({self.mesh.calls_made()} so far)")
            with self.attempt(attack, rpc, expected):
                flood(watch)
        self.tables_row(watch)

    def flood_per_user(self, watch: Watch) -> None:
        """A throwaway user's cheap calls: the 101st in a minute is refused, and so is a write after it."""
        m = self.mesh
        attack, rpc, expected = "flood per user: 101 calls in a minute", "GetInterviewStatus", f"call 101: {limited(PER_USER)}"
        user = m.sign_up(auth_pb2.ROLE_CANDIDATE)
        own = m.start_interview(user)
        status = interview_pb2.GetInterviewStatusRequest(interview_id=own.id)
        for n in range(2, PER_USER.max + 1):
            outcome = m.call(m.interview.GetInterviewStatus, status, user.access_token)
            if not outcome.ok:
                self.record(attack, rpc, expected, f"call {n}: {outcome.describe()}", False)
                return
        with watch.around():
            outcome = m.call(m.interview.GetInterviewStatus, status, user.access_token)
            self.record(attack, rpc, expected, f"call {PER_USER.max + 1}: {outcome.describe()}", outcome.rate_limited_by(PER_USER.name))
            write = m.call(m.interview.SubmitAnswer, answer_request(own, 0), user.access_token)
            self.expect_limited("a write by a user past its limit", "SubmitAnswer", PER_USER, write)

    def flood_frames(self, watch: Watch) -> None:
        """12 frames at once to one interview, by SendFrame, then 12 in one stream: past 10 a second, refused."""
        m = self.mesh
        user = m.sign_up(auth_pb2.ROLE_CANDIDATE)
        unary_target, stream_target = m.start_interview(user, 1), m.start_interview(user, 1)

        requests: list[interview_pb2.SendFrameRequest] = [
            interview_pb2.SendFrameRequest(interview_id=unary_target.id, image_data=self.small_frame, format="png") for _ in range(FRAME_FLOOD)
        ]
        started = time.monotonic()
        outcomes = m.calls_at_once(m.interview.SendFrame, requests, user.access_token)
        elapsed = time.monotonic() - started
        accepted = sum(1 for outcome in outcomes if outcome.ok)
        refused = [outcome for outcome in outcomes if not outcome.ok]
        passed = accepted <= FRAMES.max and len(refused) > 0 and all(outcome.rate_limited_by(FRAMES.name) for outcome in refused)
        got = f"{summary(outcomes)} ({elapsed:.2f} s in all)"
        self.record("flood of frames: 12 SendFrame at once", "SendFrame", f"at most 10 OK, the rest {limited(FRAMES)}", got, passed)

        streamed = 0
        with self.attempt(
            "flood of frames: 12 in one stream", "StreamInterview", "error events RESOURCE_EXHAUSTED (RATE_LIMIT_EXCEEDED, retry_after_ms > 0), then a pong"
        ):
            streamed = self.flood_stream_frames(user, stream_target.id)

        received, rows = self.tables.frames_of(unary_target.id)
        received_by_stream, rows_by_stream = self.tables.frames_of(stream_target.id)
        got = f"SendFrame: {accepted} accepted, {received} received, {rows} rows; "
        got += f"stream: {streamed} accepted, {received_by_stream} received, {rows_by_stream} rows"
        passed = received == rows == accepted and received_by_stream == rows_by_stream == streamed
        self.record("frames recorded = frames accepted", "SendFrame, StreamInterview", "refused frames neither counted nor recorded", got, passed)

    def flood_stream_frames(self, user: User, interview_id: str) -> int:
        """12 frames in one stream as fast as it reads them: the ones past the limit get an error event, the stream goes on. The frames accepted."""
        attack, rpc, expected = (
            "flood of frames: 12 in one stream",
            "StreamInterview",
            "error events RESOURCE_EXHAUSTED (RATE_LIMIT_EXCEEDED, retry_after_ms > 0), then a pong",
        )
        stream = self.mesh.stream(user.access_token, timeout_s=120)
        try:
            if not stream.ping(1, interview_id=interview_id)[1]:
                raise RuntimeError(f"the stream did not open: {stream.ended.describe() if stream.ended else 'no answer'}")
            started = time.monotonic()
            for _ in range(FRAME_FLOOD):
                stream.send(interview_pb2.StreamInterviewRequest(frame=interview_pb2.StreamFrame(image_data=self.small_frame, format="png")))
            events, goes_on = stream.ping(2, timeout_s=60)
            # The server handles a stream's frames one after the other: the flood tests the limit only if
            # 11 of them fit in a second (their time is shown).
            elapsed = time.monotonic() - started
        finally:
            stream.close()
            stream.end(10)
        updates = sum(1 for event in events if event.HasField("emotion_update"))
        exhausted = [error for error in stream_errors(events) if error.code == "RESOURCE_EXHAUSTED"]
        reasons = Counter(f"{error.code} ({error.reason or 'no reason'}, retry_after_ms {'> 0' if error.retry_after_ms > 0 else '0'})" for error in exhausted)
        got = f"{updates} emotion updates, " + (
            ", ".join(f"{count} error events {text}" for text, count in reasons.items()) or "no RESOURCE_EXHAUSTED error event"
        )
        got += f", then a pong ({elapsed:.2f} s in all)" if goes_on else ", no pong"
        passed = (
            goes_on
            and len(exhausted) > 0
            and all(error.reason == RATE_LIMIT_EXCEEDED and error.retry_after_ms > 0 for error in exhausted)
            and updates <= FRAMES.max
        )
        self.record(attack, rpc, expected, got, passed)
        return updates

    def flood_interviews(self, watch: Watch) -> None:
        """21 StartInterview by one user: the 21st in an hour is refused."""
        m = self.mesh
        attack, rpc, expected = "flood of interviews: 21 starts", "StartInterview", f"start 21: {limited(INTERVIEWS)}"
        user = m.sign_up(auth_pb2.ROLE_CANDIDATE)
        start = interview_pb2.StartInterviewRequest(question_count=1)
        for n in range(1, INTERVIEWS.max + 1):
            outcome = m.call(m.interview.StartInterview, start, user.access_token)
            if not outcome.ok:
                self.record(attack, rpc, expected, f"start {n}: {outcome.describe()}", False)
                return
        with watch.around():
            outcome = m.call(m.interview.StartInterview, start, user.access_token)
            self.record(attack, rpc, expected, f"start {INTERVIEWS.max + 1}: {outcome.describe()}", outcome.rate_limited_by(INTERVIEWS.name))

    def flood_streams(self, watch: Watch) -> None:
        """Three streams held open by one user (each answers a ping), then a fourth: refused."""
        attack, rpc, expected = "flood of streams: 4 open at once", "StreamInterview", f"the 4th ends {limited(STREAMS)}"
        user = self.mesh.sign_up(auth_pb2.ROLE_CANDIDATE)
        interview = self.mesh.start_interview(user, 1)
        streams: list[InterviewStream] = []
        try:
            for n in range(1, STREAMS.max + 1):
                stream = self.mesh.stream(user.access_token, timeout_s=120)
                streams.append(stream)
                if not stream.ping(n, interview_id=interview.id)[1]:
                    self.record(attack, rpc, expected, f"stream {n} refused: {stream.ended.describe() if stream.ended else 'no answer'}", False)
                    return
            with watch.around():
                fourth = self.mesh.stream(user.access_token, timeout_s=STREAM_WAIT_S)
                streams.append(fourth)
                _, answered = fourth.ping(STREAMS.max + 1, timeout_s=STREAM_WAIT_S, interview_id=interview.id)
                if answered or fourth.ended is None:
                    self.record(attack, rpc, expected, "the 4th was let in (it answered a ping)" if answered else "the 4th neither answered nor ended", False)
                else:
                    passed = fourth.ended.rate_limited_by(STREAMS.name)
                    self.record(attack, rpc, expected, f"the 4th ends {self.got(fourth.ended, passed)}", passed)
        finally:
            for stream in streams:
                stream.close()
            for stream in streams:
                stream.end(10)

    def flood_per_address(self, watch: Watch) -> None:
        """Interviewers reading the victim's interview, 90 calls each (under the per-user limit), until the
        interview service refuses this address; then a write from it is refused too."""
        m = self.mesh
        attack, rpc, expected = "flood per address: users until refused", "GetInterviewStatus", limited(PER_ADDRESS)
        status = interview_pb2.GetInterviewStatusRequest(interview_id=self.victim_interview.id)
        first_call = m.interview_calls
        refusal: Outcome | None = None
        users = 0
        while refusal is None and m.interview_calls - first_call < ADDRESS_FLOOD_CAP:
            reader = m.sign_up(auth_pb2.ROLE_INTERVIEWER, self.settings.invitation_code)
            users += 1
            for _ in range(ADDRESS_FLOOD_CALLS_PER_USER):
                outcome = m.call(m.interview.GetInterviewStatus, status, reader.access_token)
                if not outcome.ok:
                    refusal = outcome
                    break
        where = f"flood call {m.interview_calls - first_call} of {users} users (interview call {m.interview_calls} of the suite)"
        got = f"{refusal.describe()} at {where}" if refusal else f"nothing refused up to {where}"
        self.record(attack, rpc, expected, got, refusal is not None and refusal.rate_limited_by(PER_ADDRESS.name))
        with watch.around():
            write = m.call(m.interview.SubmitAnswer, answer_request(self.victim_interview, 1), self.victim.access_token)
            self.expect_limited("a write from the refused address", "SubmitAnswer", PER_ADDRESS, write)
            # A client that is not the gateway naming another address (x-forwarded-for): still counted as this one.
            m.interview_calls += 1
            forged = outcome_of(
                lambda: m.interview.GetInterviewStatus(
                    status, metadata=(*bearer(self.victim.access_token), ("x-forwarded-for", FORGED_ADDRESS)), timeout=DEADLINE_S
                )
            )
            self.expect_limited(
                f"x-forwarded-for {FORGED_ADDRESS} from a client not the gateway, at the refused address", "GetInterviewStatus", PER_ADDRESS, forged
            )

    def guess_passwords(self, watch: Watch) -> None:
        """Logins with wrong passwords for the victim's email until the auth service refuses this address;
        then even the right password is refused from it."""
        m = self.mesh
        attack, rpc, expected = "password guessing per address: Login until refused", "Login", limited(PER_ADDRESS)
        first_call = m.auth_calls
        refusal: Outcome | None = None
        while refusal is None and m.auth_calls - first_call < ADDRESS_FLOOD_CAP:
            guess = m.call(m.auth.Login, auth_pb2.LoginRequest(email=self.victim.email, password=f"guess-{m.auth_calls}"))
            if guess.code != Code.UNAUTHENTICATED:
                refusal = guess
        where = f"guess {m.auth_calls - first_call} (auth call {m.auth_calls} of the suite)"
        got = f"{refusal.describe()} at {where}" if refusal else f"nothing refused up to {where}"
        self.record(attack, rpc, expected, got, refusal is not None and refusal.rate_limited_by(PER_ADDRESS.name))
        with watch.around():
            login = m.call(m.auth.Login, auth_pb2.LoginRequest(email=self.victim.email, password=self.victim.password))
            self.expect_limited("the right password from the refused address", "Login", PER_ADDRESS, login)


def main() -> int:
    settings = Settings.from_env()
    mesh = Mesh(settings.interview_addr, settings.auth_addr, settings.emotion_addr, settings.tls)
    tables = Tables(settings.database_url)
    suite = Suite(settings, mesh, tables)
    try:
        suite.run()
    # A set-up that failed is a row too, and the table is still printed.
    except Exception as error:  # noqa: BLE001
        suite.record("set-up: users, interviews, the signing key", "-", "ready", f"error: {type(error).__name__}: {error}", False)
    finally:
        mesh.close()
        tables.close()
    rows = suite.rows
    counts = Counter(row.verdict for row in rows)
    table = markdown(rows)
    closing = f"{counts['ok']} ok, {counts['FAIL']} not as expected, {counts['not attacked']} not attacked; {mesh.calls_made()}"
    print(table)
    print(closing)
    TABLE_FILE.parent.mkdir(parents=True, exist_ok=True)
    TABLE_FILE.write_text(f"{table}\n{closing}\n", encoding="utf-8")
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
