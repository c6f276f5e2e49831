"""The mesh as an outside client sees it: the generated Python stubs (typed here: grpcio-tools writes
them unannotated), calls that never raise but return their outcome (status code, details, the
rate-limit status details), StreamInterview as a conversation, and the count of the calls this client
address made to each service that limits them. Every channel is TLS (transport.py): to the interview
and auth services as an end user (the mesh's CA, no client certificate), to the emotion service with
the operator's certificate.
"""

# Annotations unevaluated: grpc's multi-callables are generic only in types-grpcio's stubs.
from __future__ import annotations

import queue
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import auth_pb2
import auth_pb2_grpc
import emotion_pb2
import emotion_pb2_grpc
import grpc
import interview_pb2
import interview_pb2_grpc
import scoring_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from transport import OPERATOR, TlsFiles

DEADLINE_S = 20.0
RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"

M = TypeVar("M", bound=Message)
Request = TypeVar("Request", bound=Message)
Response = TypeVar("Response", bound=Message)


# The generated stubs (*_pb2_grpc.py) as the suite uses them: each RPC an attribute holding the
# channel's multi-callable of its request and response messages (the stub's __init__ sets them).
class InterviewStub(Protocol):
    StartInterview: grpc.UnaryUnaryMultiCallable[interview_pb2.StartInterviewRequest, interview_pb2.Interview]
    GetInterview: grpc.UnaryUnaryMultiCallable[interview_pb2.GetInterviewRequest, interview_pb2.Interview]
    SubmitAnswer: grpc.UnaryUnaryMultiCallable[interview_pb2.SubmitAnswerRequest, interview_pb2.SubmitAnswerResponse]
    SendFrame: grpc.UnaryUnaryMultiCallable[interview_pb2.SendFrameRequest, interview_pb2.SendFrameResponse]
    StreamInterview: grpc.StreamStreamMultiCallable[interview_pb2.StreamInterviewRequest, interview_pb2.StreamInterviewResponse]
    CompleteInterview: grpc.UnaryUnaryMultiCallable[interview_pb2.CompleteInterviewRequest, interview_pb2.Interview]
    GetInterviewStatus: grpc.UnaryUnaryMultiCallable[interview_pb2.GetInterviewStatusRequest, interview_pb2.InterviewStatus]
    GetReport: grpc.UnaryUnaryMultiCallable[interview_pb2.GetReportRequest, interview_pb2.Report]


class AuthStub(Protocol):
    Register: grpc.UnaryUnaryMultiCallable[auth_pb2.RegisterRequest, auth_pb2.RegisterResponse]
    Login: grpc.UnaryUnaryMultiCallable[auth_pb2.LoginRequest, auth_pb2.TokenPair]
    Refresh: grpc.UnaryUnaryMultiCallable[auth_pb2.RefreshRequest, auth_pb2.TokenPair]
    Logout: grpc.UnaryUnaryMultiCallable[auth_pb2.LogoutRequest, auth_pb2.LogoutResponse]
    GetJwks: grpc.UnaryUnaryMultiCallable[auth_pb2.GetJwksRequest, auth_pb2.GetJwksResponse]
    DeleteAccount: grpc.UnaryUnaryMultiCallable[auth_pb2.DeleteAccountRequest, auth_pb2.DeleteAccountResponse]


class EmotionStub(Protocol):
    AnalyzeFrame: grpc.UnaryUnaryMultiCallable[emotion_pb2.FrameRequest, emotion_pb2.EmotionResponse]
    AnalyzeBatch: grpc.UnaryStreamMultiCallable[emotion_pb2.BatchRequest, emotion_pb2.EmotionResponse]
    DetectFace: grpc.UnaryUnaryMultiCallable[emotion_pb2.FrameRequest, emotion_pb2.FaceResponse]
    DetectBlink: grpc.UnaryUnaryMultiCallable[emotion_pb2.FrameRequest, emotion_pb2.BlinkResponse]


class ScoringStub(Protocol):
    CalculateScore: grpc.UnaryUnaryMultiCallable[scoring_pb2.ScoreRequest, scoring_pb2.ScoreResponse]
    AnalyzeAnswer: grpc.UnaryUnaryMultiCallable[scoring_pb2.AnswerRequest, scoring_pb2.AnswerAnalysis]
    GenerateReport: grpc.UnaryUnaryMultiCallable[scoring_pb2.ReportRequest, scoring_pb2.ReportResponse]


@dataclass(frozen=True)
class LimitDetails:
    """What a refusal's `grpc-status-details-bin` says: ErrorInfo's reason and `limit`, RetryInfo's delay."""

    reason: str | None = None
    limit: str | None = None
    retry_delay_s: float | None = None
    problem: str | None = None

    def describe(self, exact: bool = True) -> str:
        """Reason, limit and retry delay (`exact`: in tenths of a second; else only whether it is > 0)."""
        if self.problem:
            return self.problem
        parts = [self.reason or "no ErrorInfo", f"limit={self.limit}" if self.limit else "no limit named"]
        if self.retry_delay_s is None:
            parts.append("no RetryInfo")
        else:
            parts.append(f"retry {self.retry_delay_s:.1f} s" if exact else f"retry {'> 0' if self.retry_delay_s > 0 else '0'} s")
        return ", ".join(parts)


def limit_details(call: grpc.Call) -> LimitDetails | None:
    """The rich status of a finished call (grpc_status), as far as a rate limit uses it; None without one."""
    try:
        status: status_pb2.Status | None = rpc_status.from_call(call)
    except ValueError as error:
        return LimitDetails(problem=f"inconsistent status details: {error}")
    if status is None:
        return None
    details = LimitDetails()
    for detail in status.details:
        # Unpack fills the message only when the detail is of its type (and says so).
        retry, info = error_details_pb2.RetryInfo(), error_details_pb2.ErrorInfo()
        if detail.Unpack(retry):
            delay = retry.retry_delay.seconds + retry.retry_delay.nanos / 1e9
            details = LimitDetails(details.reason, details.limit, delay)
        elif detail.Unpack(info):
            details = LimitDetails(info.reason, info.metadata.get("limit"), details.retry_delay_s)
    return details


@dataclass(frozen=True)
class Outcome:
    """How a call ended: OK with its response, or a status code with its details."""

    code: grpc.StatusCode
    details: str = ""
    limit: LimitDetails | None = None
    response: Message | None = None

    @property
    def ok(self) -> bool:
        return bool(self.code == grpc.StatusCode.OK)

    def describe(self, exact: bool = True) -> str:
        """The code, and what the status details of a RESOURCE_EXHAUSTED say, if it has any (see LimitDetails.describe)."""
        if self.limit is None:
            return str(self.code.name)
        return f"{self.code.name} ({self.limit.describe(exact)})"

    def rate_limited_by(self, limit: str) -> bool:
        """RESOURCE_EXHAUSTED with ErrorInfo RATE_LIMIT_EXCEEDED naming `limit` and a RetryInfo delay > 0."""
        details = self.limit
        return (
            self.code == grpc.StatusCode.RESOURCE_EXHAUSTED
            and details is not None
            and details.reason == RATE_LIMIT_EXCEEDED
            and details.limit == limit
            and (details.retry_delay_s or 0) > 0
        )

    def value(self, kind: type[M]) -> M:
        """The response; CallFailed when the call failed."""
        if not self.ok or not isinstance(self.response, kind):
            raise CallFailed(self)
        return self.response


class CallFailed(Exception):
    """A call the suite needed to succeed (a set-up step) did not."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(f"{outcome.describe()}: {outcome.details}")
        self.outcome = outcome


def outcome_of_error(error: grpc.RpcError) -> Outcome:
    """A failed call's outcome: grpcio raises the call itself, an RpcError that is a grpc.Call too."""
    # Narrowed from `object`: types-grpcio's RpcError and Call disagree on details()' type, so mypy
    # takes a class that is both for impossible.
    call: object = error
    if not isinstance(call, grpc.Call):
        return Outcome(grpc.StatusCode.UNKNOWN, f"an RpcError that is not a grpc.Call: {error!r}")
    code = call.code()
    return Outcome(code, call.details() or "", limit_details(call) if code == grpc.StatusCode.RESOURCE_EXHAUSTED else None)


def outcome_of(call: Callable[[], object]) -> Outcome:
    """How `call`, one RPC, ended: OK with its response (a message; None for anything else), or its status."""
    try:
        response = call()
    except grpc.RpcError as error:
        return outcome_of_error(error)
    return Outcome(grpc.StatusCode.OK, response=response if isinstance(response, Message) else None)


def bearer(token: str | None) -> tuple[tuple[str, str], ...]:
    return () if token is None else (("authorization", f"Bearer {token}"),)


class InterviewStream:
    """One StreamInterview call: requests are sent as they come, events are read on a thread of their own."""

    def __init__(
        self,
        method: grpc.StreamStreamMultiCallable[interview_pb2.StreamInterviewRequest, interview_pb2.StreamInterviewResponse],
        token: str | None,
        timeout_s: float,
    ) -> None:
        self._requests: queue.Queue[interview_pb2.StreamInterviewRequest | None] = queue.Queue()
        self._events: queue.Queue[interview_pb2.StreamInterviewResponse | Outcome] = queue.Queue()
        self._call = method(iter(self._requests.get, None), metadata=bearer(token), timeout=timeout_s)
        self.ended: Outcome | None = None
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for event in self._call:
                self._events.put(event)
            self._events.put(Outcome(grpc.StatusCode.OK))
        except grpc.RpcError as error:
            self._events.put(outcome_of_error(error))

    def send(self, request: interview_pb2.StreamInterviewRequest) -> None:
        self._requests.put(request)

    def close(self) -> None:
        """Half-closes: no more requests; the server ends the call."""
        self._requests.put(None)

    def cancel(self) -> None:
        self._call.cancel()

    def events_until(
        self, done: Callable[[interview_pb2.StreamInterviewResponse], bool], timeout_s: float
    ) -> tuple[list[interview_pb2.StreamInterviewResponse], bool]:
        """The events up to the first for which `done` holds (True), the end of the call, or `timeout_s` (False)."""
        events: list[interview_pb2.StreamInterviewResponse] = []
        while self.ended is None:
            try:
                event = self._events.get(timeout=timeout_s)
            except queue.Empty:
                return events, False
            if isinstance(event, Outcome):
                self.ended = event
                return events, False
            events.append(event)
            if done(event):
                return events, True
        return events, False

    def end(self, timeout_s: float) -> Outcome | None:
        """How the call ended, waiting up to `timeout_s` (events before it are dropped); None if it did not end."""
        self.events_until(lambda _: False, timeout_s)
        return self.ended

    def ping(self, sent_at_ms: int, timeout_s: float = DEADLINE_S, interview_id: str = "") -> tuple[list[interview_pb2.StreamInterviewResponse], bool]:
        """Sends a ping and waits for its pong: the events up to it, and whether it came (the stream is open and answering)."""
        self.send(interview_pb2.StreamInterviewRequest(interview_id=interview_id, ping=interview_pb2.Ping(sent_at_ms=sent_at_ms)))
        return self.events_until(lambda event: event.HasField("pong") and event.pong.sent_at_ms == sent_at_ms, timeout_s)


@dataclass(frozen=True)
class User:
    email: str
    password: str
    user_id: str
    access_token: str
    refresh_token: str


class Mesh:
    """Stubs of the interview, auth and emotion services, and the calls made to the interview and
    auth services: what their per-address limits count (each service its own, GetJwks exempt)."""

    def __init__(self, interview_addr: str, auth_addr: str, emotion_addr: str, tls: TlsFiles) -> None:
        operator = tls.workload(OPERATOR)
        self._channels = [tls.channel(interview_addr), tls.channel(auth_addr), tls.channel(emotion_addr, operator)]
        self.interview: InterviewStub = interview_pb2_grpc.InterviewServiceStub(self._channels[0])
        self.auth: AuthStub = auth_pb2_grpc.AuthServiceStub(self._channels[1])
        self.emotion: EmotionStub = emotion_pb2_grpc.EmotionServiceStub(self._channels[2])
        self.interview_calls = 0
        self.auth_calls = 0

    def _count(self, method: object, calls: int = 1) -> None:
        # A generated stub keeps its methods (the channel's multi-callables) as instance attributes.
        if any(method is own for own in vars(self.interview).values()):
            self.interview_calls += calls
        elif any(method is own for own in vars(self.auth).values()):
            self.auth_calls += calls

    def calls_made(self) -> str:
        return f"{self.interview_calls} interview and {self.auth_calls} auth calls from this address"

    def call(self, method: grpc.UnaryUnaryMultiCallable[Request, Response], request: Request, token: str | None = None) -> Outcome:
        """A unary call to the interview or auth service, counted."""
        self._count(method)
        try:
            return Outcome(grpc.StatusCode.OK, response=method(request, metadata=bearer(token), timeout=DEADLINE_S))
        except grpc.RpcError as error:
            return outcome_of_error(error)

    def calls_at_once(self, method: grpc.UnaryUnaryMultiCallable[Request, Response], requests: Sequence[Request], token: str | None) -> list[Outcome]:
        """The unary calls all started before any is waited for (grpc futures), counted; their outcomes in order."""
        self._count(method, len(requests))
        futures = [method.future(request, metadata=bearer(token), timeout=DEADLINE_S) for request in requests]
        outcomes: list[Outcome] = []
        for future in futures:
            try:
                outcomes.append(Outcome(grpc.StatusCode.OK, response=future.result()))
            except grpc.RpcError as error:
                outcomes.append(outcome_of_error(error))
        return outcomes

    def stream(self, token: str | None, timeout_s: float = 120.0) -> InterviewStream:
        """A StreamInterview call (counted once, as it is opened)."""
        self.interview_calls += 1
        return InterviewStream(self.interview.StreamInterview, token, timeout_s)

    def analyze_batch(self, request: emotion_pb2.BatchRequest) -> Outcome:
        """AnalyzeBatch on the emotion service directly (not a call the per-address limit counts): how its stream ended."""
        try:
            for _ in self.emotion.AnalyzeBatch(request, timeout=DEADLINE_S):
                pass
            return Outcome(grpc.StatusCode.OK)
        except grpc.RpcError as error:
            return outcome_of_error(error)

    def sign_up(self, role: auth_pb2.Role, invitation_code: str = "") -> User:
        """Registers a fresh user and logs it in (two calls); CallFailed when either fails."""
        email = f"security-{uuid.uuid4()}@example.com"
        password = secrets.token_urlsafe(18)
        register = auth_pb2.RegisterRequest(email=email, password=password, role=role, invitation_code=invitation_code)
        account = self.call(self.auth.Register, register).value(auth_pb2.RegisterResponse)
        tokens = self.call(self.auth.Login, auth_pb2.LoginRequest(email=email, password=password)).value(auth_pb2.TokenPair)
        return User(email, password, account.user_id, tokens.access_token, tokens.refresh_token)

    def start_interview(self, user: User, question_count: int = 2) -> interview_pb2.Interview:
        request = interview_pb2.StartInterviewRequest(question_count=question_count)
        return self.call(self.interview.StartInterview, request, user.access_token).value(interview_pb2.Interview)

    def close(self) -> None:
        for channel in self._channels:
            channel.close()


def stream_errors(events: list[interview_pb2.StreamInterviewResponse]) -> Iterator[interview_pb2.StreamError]:
    return (event.error for event in events if event.HasField("error"))
