"""Interop tests: the generated Python client against the running TypeScript services.

They call running services, whose addresses and the mesh's TLS files come from the environment, as
test/integration/interop-clients.test.ts runs them:

    MESH_INTERVIEW_ADDR=127.0.0.1:50051 MESH_EMOTION_ADDR=127.0.0.1:50052 \
    MESH_SCORING_ADDR=127.0.0.1:50053 MESH_AUTH_ADDR=127.0.0.1:50055 \
    MESH_FIXTURES=../../test/fixtures/faces MESH_TLS_CA=../../.data/tls/ca.crt \
    MESH_TLS_CERT=../../.data/tls/operator.crt MESH_TLS_KEY=../../.data/tls/operator.key python -m pytest

Every channel is TLS, verifying the server's certificate with the mesh's CA (MESH_TLS_CA). The
public services (interview, auth) are reached as an end user would: the CA only, no client
certificate. The internal ones (emotion, scoring) accept only clients with a certificate of the
mesh's CA, and their call policy says which workload may call which RPC: the tests present the
operator's certificate (MESH_TLS_CERT, MESH_TLS_KEY; spiffe://interview-mesh/operator/operator).

Interview calls carry `authorization: Bearer <access token>`: the tests that make them register a
candidate with the auth service and log in (the `candidate` fixture).
"""

# `bool | None` in annotations on Python 3.9 too (the client supports 3.9).
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import grpc
import pytest

import auth_pb2
import auth_pb2_grpc
import emotion_pb2
import emotion_pb2_grpc
import interview_pb2
import interview_pb2_grpc
import scoring_pb2
import scoring_pb2_grpc

DEADLINE_S = 20


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: these tests call running services (see this module's docstring)")
    return value


def fixture(name: str) -> bytes:
    return (Path(env("MESH_FIXTURES")) / name).read_bytes()


# The variables of the services only the mesh's workloads may call (mTLS).
INTERNAL = {"MESH_EMOTION_ADDR", "MESH_SCORING_ADDR"}


def tls_credentials(with_certificate: bool) -> grpc.ChannelCredentials:
    """TLS trusting the mesh's CA; with the operator's certificate when `with_certificate`."""
    ca = Path(env("MESH_TLS_CA")).read_bytes()
    if not with_certificate:
        return grpc.ssl_channel_credentials(root_certificates=ca)
    key, certificate = Path(env("MESH_TLS_KEY")).read_bytes(), Path(env("MESH_TLS_CERT")).read_bytes()
    return grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=certificate)


@pytest.fixture
def channel_to():
    """Opens a channel to the service at the address in a variable: with the operator's certificate
    to an internal service, with none to a public one (or as `with_certificate` says)."""
    channels = []

    def open_channel(variable: str, with_certificate: bool | None = None) -> grpc.Channel:
        wanted = variable in INTERNAL if with_certificate is None else with_certificate
        channel = grpc.secure_channel(env(variable), tls_credentials(wanted))
        channels.append(channel)
        return channel

    yield open_channel
    for channel in channels:
        channel.close()


class Candidate:
    """A candidate registered with the auth service and logged in: its user id and the call metadata carrying its access token."""

    def __init__(self, user_id: str, access_token: str):
        self.user_id = user_id
        self.metadata = (("authorization", "Bearer " + access_token),)


@pytest.fixture
def candidate(channel_to) -> Candidate:
    auth = auth_pb2_grpc.AuthServiceStub(channel_to("MESH_AUTH_ADDR"))
    email = f"py-interop-{time.time_ns()}@example.com"
    password = "py-interop-password"
    account = auth.Register(auth_pb2.RegisterRequest(email=email, password=password, role=auth_pb2.ROLE_CANDIDATE), timeout=DEADLINE_S)
    tokens = auth.Login(auth_pb2.LoginRequest(email=email, password=password), timeout=DEADLINE_S)
    assert tokens.token_type == "Bearer" and tokens.access_token
    return Candidate(account.user_id, tokens.access_token)


def test_analyze_frame_finds_the_astronauts_face(channel_to):
    emotion = emotion_pb2_grpc.EmotionServiceStub(channel_to("MESH_EMOTION_ADDR"))
    response = emotion.AnalyzeFrame(
        emotion_pb2.FrameRequest(session_id="py-interop", image_data=fixture("astronaut.png"), format="png", timestamp=int(time.time() * 1000)),
        timeout=DEADLINE_S,
    )
    assert response.face_metrics.detected
    assert response.emotion == "happy"
    assert response.confidence > 0.5
    box = response.face_metrics.bounding_box
    assert box.width > 60 and box.x + box.width <= 512 and box.y + box.height <= 512
    assert response.session_id == "py-interop"


def test_analyze_frame_on_a_cat_finds_no_face(channel_to):
    emotion = emotion_pb2_grpc.EmotionServiceStub(channel_to("MESH_EMOTION_ADDR"))
    response = emotion.AnalyzeFrame(emotion_pb2.FrameRequest(session_id="py-interop", image_data=fixture("chelsea.png"), format="png"), timeout=DEADLINE_S)
    assert not response.face_metrics.detected
    assert response.emotion == ""


def test_bad_input_is_invalid_argument(channel_to):
    emotion = emotion_pb2_grpc.EmotionServiceStub(channel_to("MESH_EMOTION_ADDR"))
    with pytest.raises(grpc.RpcError) as raised:
        emotion.AnalyzeFrame(emotion_pb2.FrameRequest(session_id="py-interop", image_data=b"not an image"), timeout=DEADLINE_S)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_analyze_answer(channel_to):
    scoring = scoring_pb2_grpc.ScoringServiceStub(channel_to("MESH_SCORING_ADDR"))
    analysis = scoring.AnalyzeAnswer(
        scoring_pb2.AnswerRequest(
            question="How does a hash map handle collisions?",
            answer="Each bucket keeps a linked list, so colliding keys are chained and a lookup walks the list.",
            category="technical",
        ),
        timeout=DEADLINE_S,
    )
    assert analysis.relevance_score > 0 and analysis.clarity_score > 0 and analysis.depth_score > 0
    assert len(analysis.keywords) > 0
    assert analysis.feedback


def test_an_interview_from_start_to_report(channel_to, candidate):
    client = interview_pb2_grpc.InterviewServiceStub(channel_to("MESH_INTERVIEW_ADDR"))
    metadata = candidate.metadata
    # The candidate is the token's subject: candidate_id is empty or that user id.
    interview = client.StartInterview(
        interview_pb2.StartInterviewRequest(candidate_id=candidate.user_id, question_count=2), timeout=DEADLINE_S, metadata=metadata
    )
    assert interview.state == interview_pb2.INTERVIEW_STATE_IN_PROGRESS
    assert len(interview.questions) == 2
    assert interview.candidate_id == candidate.user_id

    frame = client.SendFrame(
        interview_pb2.SendFrameRequest(interview_id=interview.id, image_data=fixture("astronaut.png"), format="png"), timeout=DEADLINE_S, metadata=metadata
    )
    assert frame.frame_number == 1
    assert frame.analysis.face_metrics.detected

    for question in interview.questions:
        client.SubmitAnswer(
            interview_pb2.SubmitAnswerRequest(
                interview_id=interview.id,
                question_id=question.id,
                transcript="I start from the requirements, measure the current system, and explain the trade-offs I chose.",
                duration_seconds=20,
                confidence=0.9,
            ),
            timeout=DEADLINE_S,
            metadata=metadata,
        )
    completed = client.CompleteInterview(interview_pb2.CompleteInterviewRequest(interview_id=interview.id), timeout=DEADLINE_S, metadata=metadata)
    assert completed.state == interview_pb2.INTERVIEW_STATE_COMPLETED

    # Scoring is asynchronous (events): the report answers FAILED_PRECONDITION until it is done.
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            report = client.GetReport(interview_pb2.GetReportRequest(interview_id=interview.id, include_emotions=True), timeout=DEADLINE_S, metadata=metadata)
            break
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.FAILED_PRECONDITION or time.monotonic() > deadline:
                raise
            time.sleep(0.25)
    assert 0 < report.scores.overall <= 100
    body = json.loads(report.report_json)
    assert len(body["answers"]) == 2
    assert body["emotionSummary"]["sampleCount"] == 1
    assert body["emotionSummary"]["faceDetectedCount"] == 1


def test_unknown_interview_is_not_found(channel_to, candidate):
    client = interview_pb2_grpc.InterviewServiceStub(channel_to("MESH_INTERVIEW_ADDR"))
    with pytest.raises(grpc.RpcError) as raised:
        client.GetInterview(
            interview_pb2.GetInterviewRequest(interview_id="00000000-0000-4000-8000-000000000000"), timeout=DEADLINE_S, metadata=candidate.metadata
        )
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


def test_interview_calls_need_an_access_token(channel_to):
    client = interview_pb2_grpc.InterviewServiceStub(channel_to("MESH_INTERVIEW_ADDR"))
    for metadata in [(), (("authorization", "Bearer not-a-token"),)]:
        with pytest.raises(grpc.RpcError) as raised:
            client.StartInterview(interview_pb2.StartInterviewRequest(question_count=2), timeout=DEADLINE_S, metadata=metadata)
        assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_starting_another_candidates_interview_is_permission_denied(channel_to, candidate):
    client = interview_pb2_grpc.InterviewServiceStub(channel_to("MESH_INTERVIEW_ADDR"))
    with pytest.raises(grpc.RpcError) as raised:
        client.StartInterview(
            interview_pb2.StartInterviewRequest(candidate_id="someone-else", question_count=2), timeout=DEADLINE_S, metadata=candidate.metadata
        )
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_emotion_refuses_a_caller_without_a_client_certificate(channel_to):
    # TLS trusting the mesh's CA, but no certificate of its own: the handshake is refused.
    emotion = emotion_pb2_grpc.EmotionServiceStub(channel_to("MESH_EMOTION_ADDR", with_certificate=False))
    with pytest.raises(grpc.RpcError) as raised:
        emotion.AnalyzeFrame(emotion_pb2.FrameRequest(session_id="py-interop", image_data=fixture("astronaut.png"), format="png"), timeout=DEADLINE_S)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


def test_generate_report_is_permission_denied_to_an_operator(channel_to):
    # Reports hold every answer of a session: only the interview service may ask for one.
    scoring = scoring_pb2_grpc.ScoringServiceStub(channel_to("MESH_SCORING_ADDR"))
    with pytest.raises(grpc.RpcError) as raised:
        scoring.GenerateReport(scoring_pb2.ReportRequest(session_id="00000000-0000-4000-8000-000000000000"), timeout=DEADLINE_S)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
