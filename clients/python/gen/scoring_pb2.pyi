import report_pb2 as _report_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ScoreRequest(_message.Message):
    __slots__ = ("session_id", "answers", "emotions", "metadata")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    EMOTIONS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    answers: _containers.RepeatedCompositeFieldContainer[Answer]
    emotions: _containers.RepeatedCompositeFieldContainer[EmotionData]
    metadata: InterviewMetadata
    def __init__(self, session_id: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[Answer, _Mapping]]] = ..., emotions: _Optional[_Iterable[_Union[EmotionData, _Mapping]]] = ..., metadata: _Optional[_Union[InterviewMetadata, _Mapping]] = ...) -> None: ...

class Answer(_message.Message):
    __slots__ = ("question_id", "transcript", "duration", "confidence", "question", "category")
    QUESTION_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    question_id: str
    transcript: str
    duration: float
    confidence: float
    question: str
    category: str
    def __init__(self, question_id: _Optional[str] = ..., transcript: _Optional[str] = ..., duration: _Optional[float] = ..., confidence: _Optional[float] = ..., question: _Optional[str] = ..., category: _Optional[str] = ...) -> None: ...

class EmotionData(_message.Message):
    __slots__ = ("timestamp", "emotion", "confidence", "blink_count")
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    BLINK_COUNT_FIELD_NUMBER: _ClassVar[int]
    timestamp: int
    emotion: str
    confidence: float
    blink_count: int
    def __init__(self, timestamp: _Optional[int] = ..., emotion: _Optional[str] = ..., confidence: _Optional[float] = ..., blink_count: _Optional[int] = ...) -> None: ...

class InterviewMetadata(_message.Message):
    __slots__ = ("user_id", "started_at", "completed_at", "total_questions")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    started_at: int
    completed_at: int
    total_questions: int
    def __init__(self, user_id: _Optional[str] = ..., started_at: _Optional[int] = ..., completed_at: _Optional[int] = ..., total_questions: _Optional[int] = ...) -> None: ...

class ScoreResponse(_message.Message):
    __slots__ = ("session_id", "technical_score", "communication_score", "emotion_score", "overall_score", "feedback", "insights")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TECHNICAL_SCORE_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATION_SCORE_FIELD_NUMBER: _ClassVar[int]
    EMOTION_SCORE_FIELD_NUMBER: _ClassVar[int]
    OVERALL_SCORE_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    INSIGHTS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    technical_score: float
    communication_score: float
    emotion_score: float
    overall_score: float
    feedback: str
    insights: _containers.RepeatedCompositeFieldContainer[Insight]
    def __init__(self, session_id: _Optional[str] = ..., technical_score: _Optional[float] = ..., communication_score: _Optional[float] = ..., emotion_score: _Optional[float] = ..., overall_score: _Optional[float] = ..., feedback: _Optional[str] = ..., insights: _Optional[_Iterable[_Union[Insight, _Mapping]]] = ...) -> None: ...

class AnswerRequest(_message.Message):
    __slots__ = ("question", "answer", "category")
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    question: str
    answer: str
    category: str
    def __init__(self, question: _Optional[str] = ..., answer: _Optional[str] = ..., category: _Optional[str] = ...) -> None: ...

class AnswerAnalysis(_message.Message):
    __slots__ = ("relevance_score", "clarity_score", "depth_score", "keywords", "feedback")
    RELEVANCE_SCORE_FIELD_NUMBER: _ClassVar[int]
    CLARITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    DEPTH_SCORE_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    relevance_score: float
    clarity_score: float
    depth_score: float
    keywords: _containers.RepeatedScalarFieldContainer[str]
    feedback: str
    def __init__(self, relevance_score: _Optional[float] = ..., clarity_score: _Optional[float] = ..., depth_score: _Optional[float] = ..., keywords: _Optional[_Iterable[str]] = ..., feedback: _Optional[str] = ...) -> None: ...

class ReportRequest(_message.Message):
    __slots__ = ("session_id", "include_emotions", "include_video", "format")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_EMOTIONS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_VIDEO_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    include_emotions: bool
    include_video: bool
    format: str
    def __init__(self, session_id: _Optional[str] = ..., include_emotions: _Optional[bool] = ..., include_video: _Optional[bool] = ..., format: _Optional[str] = ...) -> None: ...

class ReportResponse(_message.Message):
    __slots__ = ("report_url", "report_data", "format", "report")
    REPORT_URL_FIELD_NUMBER: _ClassVar[int]
    REPORT_DATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report_url: str
    report_data: bytes
    format: str
    report: _report_pb2.InterviewReport
    def __init__(self, report_url: _Optional[str] = ..., report_data: _Optional[bytes] = ..., format: _Optional[str] = ..., report: _Optional[_Union[_report_pb2.InterviewReport, _Mapping]] = ...) -> None: ...

class Insight(_message.Message):
    __slots__ = ("category", "description", "impact")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IMPACT_FIELD_NUMBER: _ClassVar[int]
    category: str
    description: str
    impact: float
    def __init__(self, category: _Optional[str] = ..., description: _Optional[str] = ..., impact: _Optional[float] = ...) -> None: ...
