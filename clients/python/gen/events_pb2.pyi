import datetime

import emotion_pb2 as _emotion_pb2
import integrity_pb2 as _integrity_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FrameCaptured(_message.Message):
    __slots__ = ("session_id", "timestamp", "image_data", "format", "frame_number", "analysis")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    IMAGE_DATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    FRAME_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    timestamp: _timestamp_pb2.Timestamp
    image_data: bytes
    format: str
    frame_number: int
    analysis: _emotion_pb2.EmotionResponse
    def __init__(self, session_id: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., image_data: _Optional[bytes] = ..., format: _Optional[str] = ..., frame_number: _Optional[int] = ..., analysis: _Optional[_Union[_emotion_pb2.EmotionResponse, _Mapping]] = ...) -> None: ...

class EmotionAnalyzed(_message.Message):
    __slots__ = ("session_id", "timestamp", "emotion", "confidence", "blink_count", "metadata", "frame_number", "face_detected", "blinks_tracked")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    BLINK_COUNT_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    FRAME_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FACE_DETECTED_FIELD_NUMBER: _ClassVar[int]
    BLINKS_TRACKED_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    timestamp: _timestamp_pb2.Timestamp
    emotion: str
    confidence: float
    blink_count: int
    metadata: _struct_pb2.Struct
    frame_number: int
    face_detected: bool
    blinks_tracked: bool
    def __init__(self, session_id: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., emotion: _Optional[str] = ..., confidence: _Optional[float] = ..., blink_count: _Optional[int] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., frame_number: _Optional[int] = ..., face_detected: _Optional[bool] = ..., blinks_tracked: _Optional[bool] = ...) -> None: ...

class CompletedAnswer(_message.Message):
    __slots__ = ("question_id", "question", "category", "transcript", "duration_seconds", "confidence", "answered_at")
    QUESTION_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    question_id: str
    question: str
    category: str
    transcript: str
    duration_seconds: float
    confidence: float
    answered_at: _timestamp_pb2.Timestamp
    def __init__(self, question_id: _Optional[str] = ..., question: _Optional[str] = ..., category: _Optional[str] = ..., transcript: _Optional[str] = ..., duration_seconds: _Optional[float] = ..., confidence: _Optional[float] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class InterviewCompleted(_message.Message):
    __slots__ = ("session_id", "user_id", "completed_at", "total_duration", "answer_count", "started_at", "total_questions", "frames_sent", "answers")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_DURATION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_COUNT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    FRAMES_SENT_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    user_id: str
    completed_at: _timestamp_pb2.Timestamp
    total_duration: int
    answer_count: int
    started_at: _timestamp_pb2.Timestamp
    total_questions: int
    frames_sent: int
    answers: _containers.RepeatedCompositeFieldContainer[CompletedAnswer]
    def __init__(self, session_id: _Optional[str] = ..., user_id: _Optional[str] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., total_duration: _Optional[int] = ..., answer_count: _Optional[int] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., total_questions: _Optional[int] = ..., frames_sent: _Optional[int] = ..., answers: _Optional[_Iterable[_Union[CompletedAnswer, _Mapping]]] = ...) -> None: ...

class ScoreCalculated(_message.Message):
    __slots__ = ("session_id", "technical_score", "communication_score", "emotion_score", "overall_score", "calculated_at", "user_id", "feedback")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TECHNICAL_SCORE_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATION_SCORE_FIELD_NUMBER: _ClassVar[int]
    EMOTION_SCORE_FIELD_NUMBER: _ClassVar[int]
    OVERALL_SCORE_FIELD_NUMBER: _ClassVar[int]
    CALCULATED_AT_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    technical_score: float
    communication_score: float
    emotion_score: float
    overall_score: float
    calculated_at: _timestamp_pb2.Timestamp
    user_id: str
    feedback: str
    def __init__(self, session_id: _Optional[str] = ..., technical_score: _Optional[float] = ..., communication_score: _Optional[float] = ..., emotion_score: _Optional[float] = ..., overall_score: _Optional[float] = ..., calculated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., user_id: _Optional[str] = ..., feedback: _Optional[str] = ...) -> None: ...

class ScoringFailed(_message.Message):
    __slots__ = ("session_id", "user_id", "reason", "failed_at")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FAILED_AT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    user_id: str
    reason: str
    failed_at: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., user_id: _Optional[str] = ..., reason: _Optional[str] = ..., failed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UserDeleted(_message.Message):
    __slots__ = ("user_id", "deleted_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DELETED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    deleted_at: _timestamp_pb2.Timestamp
    def __init__(self, user_id: _Optional[str] = ..., deleted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class IntegrityFlagged(_message.Message):
    __slots__ = ("session_id", "event", "risk", "verdict", "flagged_at")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    FLAGGED_AT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    event: _integrity_pb2.IntegrityEvent
    risk: float
    verdict: _integrity_pb2.Verdict
    flagged_at: _timestamp_pb2.Timestamp
    def __init__(self, session_id: _Optional[str] = ..., event: _Optional[_Union[_integrity_pb2.IntegrityEvent, _Mapping]] = ..., risk: _Optional[float] = ..., verdict: _Optional[_Union[_integrity_pb2.Verdict, str]] = ..., flagged_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
