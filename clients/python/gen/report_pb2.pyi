import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IntegrityStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTEGRITY_STATUS_UNSPECIFIED: _ClassVar[IntegrityStatus]
    INTEGRITY_STATUS_ASSESSED: _ClassVar[IntegrityStatus]
    INTEGRITY_STATUS_NOT_ASSESSED: _ClassVar[IntegrityStatus]
    INTEGRITY_STATUS_UNAVAILABLE: _ClassVar[IntegrityStatus]

class IntegrityVerdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTEGRITY_VERDICT_UNSPECIFIED: _ClassVar[IntegrityVerdict]
    INTEGRITY_VERDICT_CLEAR: _ClassVar[IntegrityVerdict]
    INTEGRITY_VERDICT_REVIEW: _ClassVar[IntegrityVerdict]
    INTEGRITY_VERDICT_FLAGGED: _ClassVar[IntegrityVerdict]

class IntegrityEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTEGRITY_EVENT_KIND_UNSPECIFIED: _ClassVar[IntegrityEventKind]
    INTEGRITY_EVENT_KIND_LOOKING_AWAY: _ClassVar[IntegrityEventKind]
    INTEGRITY_EVENT_KIND_FACE_MISSING: _ClassVar[IntegrityEventKind]
    INTEGRITY_EVENT_KIND_MULTIPLE_FACES: _ClassVar[IntegrityEventKind]
    INTEGRITY_EVENT_KIND_HEAD_TURNED: _ClassVar[IntegrityEventKind]
    INTEGRITY_EVENT_KIND_PHONE_IN_VIEW: _ClassVar[IntegrityEventKind]
    INTEGRITY_EVENT_KIND_BOOK_IN_VIEW: _ClassVar[IntegrityEventKind]
    INTEGRITY_EVENT_KIND_SCREEN_IN_VIEW: _ClassVar[IntegrityEventKind]
    INTEGRITY_EVENT_KIND_ANOTHER_PERSON: _ClassVar[IntegrityEventKind]
INTEGRITY_STATUS_UNSPECIFIED: IntegrityStatus
INTEGRITY_STATUS_ASSESSED: IntegrityStatus
INTEGRITY_STATUS_NOT_ASSESSED: IntegrityStatus
INTEGRITY_STATUS_UNAVAILABLE: IntegrityStatus
INTEGRITY_VERDICT_UNSPECIFIED: IntegrityVerdict
INTEGRITY_VERDICT_CLEAR: IntegrityVerdict
INTEGRITY_VERDICT_REVIEW: IntegrityVerdict
INTEGRITY_VERDICT_FLAGGED: IntegrityVerdict
INTEGRITY_EVENT_KIND_UNSPECIFIED: IntegrityEventKind
INTEGRITY_EVENT_KIND_LOOKING_AWAY: IntegrityEventKind
INTEGRITY_EVENT_KIND_FACE_MISSING: IntegrityEventKind
INTEGRITY_EVENT_KIND_MULTIPLE_FACES: IntegrityEventKind
INTEGRITY_EVENT_KIND_HEAD_TURNED: IntegrityEventKind
INTEGRITY_EVENT_KIND_PHONE_IN_VIEW: IntegrityEventKind
INTEGRITY_EVENT_KIND_BOOK_IN_VIEW: IntegrityEventKind
INTEGRITY_EVENT_KIND_SCREEN_IN_VIEW: IntegrityEventKind
INTEGRITY_EVENT_KIND_ANOTHER_PERSON: IntegrityEventKind

class InterviewReport(_message.Message):
    __slots__ = ("schema_version", "session_id", "candidate_id", "started_at", "completed_at", "total_questions", "scores", "weights", "feedback", "answers", "emotion_summary", "blinks", "insights", "integrity")
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    EMOTION_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    BLINKS_FIELD_NUMBER: _ClassVar[int]
    INSIGHTS_FIELD_NUMBER: _ClassVar[int]
    INTEGRITY_FIELD_NUMBER: _ClassVar[int]
    schema_version: int
    session_id: str
    candidate_id: str
    started_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    total_questions: int
    scores: Scores
    weights: Weights
    feedback: str
    answers: _containers.RepeatedCompositeFieldContainer[Answer]
    emotion_summary: EmotionSummary
    blinks: Blinks
    insights: _containers.RepeatedCompositeFieldContainer[Insight]
    integrity: IntegritySection
    def __init__(self, schema_version: _Optional[int] = ..., session_id: _Optional[str] = ..., candidate_id: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., total_questions: _Optional[int] = ..., scores: _Optional[_Union[Scores, _Mapping]] = ..., weights: _Optional[_Union[Weights, _Mapping]] = ..., feedback: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[Answer, _Mapping]]] = ..., emotion_summary: _Optional[_Union[EmotionSummary, _Mapping]] = ..., blinks: _Optional[_Union[Blinks, _Mapping]] = ..., insights: _Optional[_Iterable[_Union[Insight, _Mapping]]] = ..., integrity: _Optional[_Union[IntegritySection, _Mapping]] = ...) -> None: ...

class Scores(_message.Message):
    __slots__ = ("technical", "communication", "emotion", "overall")
    TECHNICAL_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATION_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    technical: float
    communication: float
    emotion: float
    overall: float
    def __init__(self, technical: _Optional[float] = ..., communication: _Optional[float] = ..., emotion: _Optional[float] = ..., overall: _Optional[float] = ...) -> None: ...

class Weights(_message.Message):
    __slots__ = ("technical", "communication", "emotion")
    TECHNICAL_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATION_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    technical: float
    communication: float
    emotion: float
    def __init__(self, technical: _Optional[float] = ..., communication: _Optional[float] = ..., emotion: _Optional[float] = ...) -> None: ...

class Answer(_message.Message):
    __slots__ = ("question_id", "question", "category", "duration_seconds", "word_count", "words_per_minute", "relevance_score", "clarity_score", "depth_score", "keywords", "feedback", "technical_score", "communication_score", "filler_word_count", "answered_at")
    QUESTION_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    WORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    WORDS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    RELEVANCE_SCORE_FIELD_NUMBER: _ClassVar[int]
    CLARITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    DEPTH_SCORE_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    TECHNICAL_SCORE_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATION_SCORE_FIELD_NUMBER: _ClassVar[int]
    FILLER_WORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_AT_FIELD_NUMBER: _ClassVar[int]
    question_id: str
    question: str
    category: str
    duration_seconds: float
    word_count: int
    words_per_minute: float
    relevance_score: float
    clarity_score: float
    depth_score: float
    keywords: _containers.RepeatedScalarFieldContainer[str]
    feedback: str
    technical_score: float
    communication_score: float
    filler_word_count: int
    answered_at: _timestamp_pb2.Timestamp
    def __init__(self, question_id: _Optional[str] = ..., question: _Optional[str] = ..., category: _Optional[str] = ..., duration_seconds: _Optional[float] = ..., word_count: _Optional[int] = ..., words_per_minute: _Optional[float] = ..., relevance_score: _Optional[float] = ..., clarity_score: _Optional[float] = ..., depth_score: _Optional[float] = ..., keywords: _Optional[_Iterable[str]] = ..., feedback: _Optional[str] = ..., technical_score: _Optional[float] = ..., communication_score: _Optional[float] = ..., filler_word_count: _Optional[int] = ..., answered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EmotionSummary(_message.Message):
    __slots__ = ("sample_count", "face_detected_count", "face_present_share", "counts_by_emotion", "unrecognised_count", "dominant_emotion", "positive_or_neutral_share", "timeline")
    class CountsByEmotionEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    SAMPLE_COUNT_FIELD_NUMBER: _ClassVar[int]
    FACE_DETECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    FACE_PRESENT_SHARE_FIELD_NUMBER: _ClassVar[int]
    COUNTS_BY_EMOTION_FIELD_NUMBER: _ClassVar[int]
    UNRECOGNISED_COUNT_FIELD_NUMBER: _ClassVar[int]
    DOMINANT_EMOTION_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_OR_NEUTRAL_SHARE_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    sample_count: int
    face_detected_count: int
    face_present_share: float
    counts_by_emotion: _containers.ScalarMap[str, int]
    unrecognised_count: int
    dominant_emotion: str
    positive_or_neutral_share: float
    timeline: _containers.RepeatedCompositeFieldContainer[TimelinePoint]
    def __init__(self, sample_count: _Optional[int] = ..., face_detected_count: _Optional[int] = ..., face_present_share: _Optional[float] = ..., counts_by_emotion: _Optional[_Mapping[str, int]] = ..., unrecognised_count: _Optional[int] = ..., dominant_emotion: _Optional[str] = ..., positive_or_neutral_share: _Optional[float] = ..., timeline: _Optional[_Iterable[_Union[TimelinePoint, _Mapping]]] = ...) -> None: ...

class TimelinePoint(_message.Message):
    __slots__ = ("timestamp_ms", "face_detected", "emotion", "confidence", "blink_count")
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    FACE_DETECTED_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    BLINK_COUNT_FIELD_NUMBER: _ClassVar[int]
    timestamp_ms: int
    face_detected: bool
    emotion: str
    confidence: float
    blink_count: int
    def __init__(self, timestamp_ms: _Optional[int] = ..., face_detected: _Optional[bool] = ..., emotion: _Optional[str] = ..., confidence: _Optional[float] = ..., blink_count: _Optional[int] = ...) -> None: ...

class Blinks(_message.Message):
    __slots__ = ("blink_count", "tracked_seconds", "blinks_per_minute", "windows", "normal_low_per_minute", "normal_high_per_minute")
    BLINK_COUNT_FIELD_NUMBER: _ClassVar[int]
    TRACKED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    BLINKS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    WINDOWS_FIELD_NUMBER: _ClassVar[int]
    NORMAL_LOW_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    NORMAL_HIGH_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    blink_count: int
    tracked_seconds: float
    blinks_per_minute: float
    windows: _containers.RepeatedCompositeFieldContainer[BlinkWindow]
    normal_low_per_minute: float
    normal_high_per_minute: float
    def __init__(self, blink_count: _Optional[int] = ..., tracked_seconds: _Optional[float] = ..., blinks_per_minute: _Optional[float] = ..., windows: _Optional[_Iterable[_Union[BlinkWindow, _Mapping]]] = ..., normal_low_per_minute: _Optional[float] = ..., normal_high_per_minute: _Optional[float] = ...) -> None: ...

class BlinkWindow(_message.Message):
    __slots__ = ("start_ms", "end_ms", "blinks", "blinks_per_minute")
    START_MS_FIELD_NUMBER: _ClassVar[int]
    END_MS_FIELD_NUMBER: _ClassVar[int]
    BLINKS_FIELD_NUMBER: _ClassVar[int]
    BLINKS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    start_ms: int
    end_ms: int
    blinks: int
    blinks_per_minute: float
    def __init__(self, start_ms: _Optional[int] = ..., end_ms: _Optional[int] = ..., blinks: _Optional[int] = ..., blinks_per_minute: _Optional[float] = ...) -> None: ...

class Insight(_message.Message):
    __slots__ = ("category", "description", "impact", "evidence")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IMPACT_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    category: str
    description: str
    impact: float
    evidence: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, category: _Optional[str] = ..., description: _Optional[str] = ..., impact: _Optional[float] = ..., evidence: _Optional[_Iterable[str]] = ...) -> None: ...

class IntegritySection(_message.Message):
    __slots__ = ("status", "verdict", "risk", "peak_risk", "peak_at_ms", "frames_analyzed", "first_frame_ms", "last_frame_ms", "events", "events_total", "policy")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    PEAK_RISK_FIELD_NUMBER: _ClassVar[int]
    PEAK_AT_MS_FIELD_NUMBER: _ClassVar[int]
    FRAMES_ANALYZED_FIELD_NUMBER: _ClassVar[int]
    FIRST_FRAME_MS_FIELD_NUMBER: _ClassVar[int]
    LAST_FRAME_MS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    status: IntegrityStatus
    verdict: IntegrityVerdict
    risk: float
    peak_risk: float
    peak_at_ms: int
    frames_analyzed: int
    first_frame_ms: int
    last_frame_ms: int
    events: _containers.RepeatedCompositeFieldContainer[IntegrityEventRecord]
    events_total: int
    policy: IntegrityPolicy
    def __init__(self, status: _Optional[_Union[IntegrityStatus, str]] = ..., verdict: _Optional[_Union[IntegrityVerdict, str]] = ..., risk: _Optional[float] = ..., peak_risk: _Optional[float] = ..., peak_at_ms: _Optional[int] = ..., frames_analyzed: _Optional[int] = ..., first_frame_ms: _Optional[int] = ..., last_frame_ms: _Optional[int] = ..., events: _Optional[_Iterable[_Union[IntegrityEventRecord, _Mapping]]] = ..., events_total: _Optional[int] = ..., policy: _Optional[_Union[IntegrityPolicy, _Mapping]] = ...) -> None: ...

class IntegrityEventRecord(_message.Message):
    __slots__ = ("kind", "started_at_ms", "confirmed_at_ms", "frame_number", "weight", "risk_after", "detail")
    KIND_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    FRAME_NUMBER_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    RISK_AFTER_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    kind: IntegrityEventKind
    started_at_ms: int
    confirmed_at_ms: int
    frame_number: int
    weight: float
    risk_after: float
    detail: str
    def __init__(self, kind: _Optional[_Union[IntegrityEventKind, str]] = ..., started_at_ms: _Optional[int] = ..., confirmed_at_ms: _Optional[int] = ..., frame_number: _Optional[int] = ..., weight: _Optional[float] = ..., risk_after: _Optional[float] = ..., detail: _Optional[str] = ...) -> None: ...

class IntegrityPolicy(_message.Message):
    __slots__ = ("half_life_seconds", "review_threshold", "flag_threshold")
    HALF_LIFE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    FLAG_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    half_life_seconds: float
    review_threshold: float
    flag_threshold: float
    def __init__(self, half_life_seconds: _Optional[float] = ..., review_threshold: _Optional[float] = ..., flag_threshold: _Optional[float] = ...) -> None: ...
