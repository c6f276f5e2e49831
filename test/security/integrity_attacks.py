"""The integrity service's port (MESH_INTEGRITY_ADDR), attacked as the emotion and scoring ports are:
plaintext; TLS without a client certificate; a certificate from a CA of the suite's own naming the
scoring service; certificates of the mesh's CA whose workload the call policy does not name for the
RPC (src/mesh/call-policy.ts: AnalyzeFrame is the operators', GetAssessment the scoring service's
and the operators'); then each input just past its bound (a frame of 8 MiB + 1 byte, one of 4097 x
4097 pixels, bytes that are no image, a session id of 129 characters). Controls: scoring's
certificate reads an assessment (NOT_FOUND for a session never seen, which is an answer, not a
refusal) and the operator's analyses the suite's face, so that each refusal is due to the attack.

AnalyzeFrame changes no session's risk, and GetAssessment only reads: the watch around these calls
(attacks.py) checks that the integrity service's tables are unchanged all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import grpc
import integrity_pb2
import integrity_pb2_grpc

from images import grey_png, padded_png
from mesh_client import Outcome
from transport import OPERATOR, KeyPair, TlsFiles, foreign_pair, service_id

DEADLINE_S = 30.0
MIB = 1024 * 1024
# The frame bounds the integrity service shares with the others (src/platform/contracts/bounds.ts).
FRAME_BYTES = 8 * MIB
FRAME_SIDE = 4096
# GetAssessment's bound on a session id (proto/integrity.proto).
SESSION_ID_CHARS = 128

Call = Callable[[grpc.Channel], object]
Expect = Callable[[str, str, grpc.StatusCode, Outcome], None]
ExpectRefusedHandshake = Callable[[str, str, Outcome], None]
Over = Callable[[grpc.Channel, Call], Outcome]


@dataclass(frozen=True)
class SuiteHooks:
    """What the suite lends these attacks: its rows (expect, expect_refused_handshake) and `over`, which runs a call on a channel and closes it."""

    expect: Expect
    expect_refused_handshake: ExpectRefusedHandshake
    over: Over


class IntegrityStub(Protocol):
    AnalyzeFrame: grpc.UnaryUnaryMultiCallable[integrity_pb2.AnalyzeFrameRequest, integrity_pb2.FrameIntegrity]
    GetAssessment: grpc.UnaryUnaryMultiCallable[integrity_pb2.GetAssessmentRequest, integrity_pb2.Assessment]


def stub(channel: grpc.Channel) -> IntegrityStub:
    client: IntegrityStub = integrity_pb2_grpc.IntegrityServiceStub(channel)
    return client


class IntegrityAttacks:
    def __init__(self, address: str, tls: TlsFiles, face_png: bytes, hooks: SuiteHooks) -> None:
        self.address = address
        self.tls = tls
        self.face = face_png
        self.hooks = hooks

    def as_workload(self, client: KeyPair | None, call: Call) -> Outcome:
        return self.hooks.over(self.tls.channel(self.address, client), call)

    @staticmethod
    def analyze(image: bytes, fmt: str = "png") -> Call:
        request = integrity_pb2.AnalyzeFrameRequest(image_data=image, format=fmt, skip_objects=True)
        return lambda channel: stub(channel).AnalyzeFrame(request, timeout=DEADLINE_S)

    @staticmethod
    def assessment(session_id: str) -> Call:
        request = integrity_pb2.GetAssessmentRequest(session_id=session_id)
        return lambda channel: stub(channel).GetAssessment(request, timeout=DEADLINE_S)

    def transport(self, unknown_session: str) -> None:
        h, tls = self.hooks, self.tls
        analyze, assess = self.analyze(self.face), self.assessment(unknown_session)
        h.expect_refused_handshake("plaintext to the integrity port", "GetAssessment", h.over(grpc.insecure_channel(self.address), assess))
        h.expect_refused_handshake("no client certificate at an internal port", "GetAssessment", self.as_workload(None, assess))
        impostor = foreign_pair(service_id("scoring"))
        h.expect_refused_handshake("client certificate of another CA, naming the scoring service", "GetAssessment", self.as_workload(impostor, assess))

        denied = grpc.StatusCode.PERMISSION_DENIED
        interview_of, emotion_of, scoring_of = tls.workload("interview"), tls.workload("emotion"), tls.workload("scoring")
        h.expect("interview's certificate (the policy names scoring and operators)", "GetAssessment", denied, self.as_workload(interview_of, assess))
        h.expect("emotion's certificate (a service the policy names nowhere here)", "GetAssessment", denied, self.as_workload(emotion_of, assess))
        h.expect("scoring's certificate (operators' RPC)", "AnalyzeFrame", denied, self.as_workload(scoring_of, analyze))
        h.expect("interview's certificate (operators' RPC)", "AnalyzeFrame", denied, self.as_workload(interview_of, analyze))

        allowed = self.as_workload(scoring_of, assess)
        h.expect("control: scoring's certificate, allowed (a session never seen)", "GetAssessment", grpc.StatusCode.NOT_FOUND, allowed)
        h.expect("control: the operator's certificate, allowed", "AnalyzeFrame", grpc.StatusCode.OK, self.as_workload(tls.workload(OPERATOR), analyze))

    def bounds(self) -> None:
        h = self.hooks
        operator = self.tls.workload(OPERATOR)

        def analyze(image: bytes) -> Outcome:
            return self.as_workload(operator, self.analyze(image))

        exhausted, invalid = grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.INVALID_ARGUMENT
        h.expect("frame of 8 MiB + 1 byte (a PNG, then padding; integrity, directly)", "AnalyzeFrame", exhausted, analyze(padded_png(FRAME_BYTES + 1)))
        h.expect("frame of 4097 x 4097 pixels (integrity, directly)", "AnalyzeFrame", exhausted, analyze(grey_png(FRAME_SIDE + 1, FRAME_SIDE + 1)))
        h.expect("bytes that are no image (integrity, directly)", "AnalyzeFrame", invalid, analyze(b"\x89PNG\r\n\x1a\nnot really"))
        long_id = "s" * (SESSION_ID_CHARS + 1)
        h.expect("session id of 129 characters", "GetAssessment", invalid, self.as_workload(self.tls.workload("scoring"), self.assessment(long_id)))
