import datetime

import emotion_pb2 as _emotion_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
import report_pb2 as _report_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class InterviewState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INTERVIEW_STATE_UNSPECIFIED: _ClassVar[InterviewState]
    INTERVIEW_STATE_IN_PROGRESS: _ClassVar[InterviewState]
    INTERVIEW_STATE_COMPLETED: _ClassVar[InterviewState]
    INTERVIEW_STATE_SCORED: _ClassVar[InterviewState]
    INTERVIEW_STATE_FAILED: _ClassVar[InterviewState]

class Difficulty(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIFFICULTY_UNSPECIFIED: _ClassVar[Difficulty]
    DIFFICULTY_EASY: _ClassVar[Difficulty]
    DIFFICULTY_MEDIUM: _ClassVar[Difficulty]
    DIFFICULTY_HARD: _ClassVar[Difficulty]

class ReportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_FORMAT_UNSPECIFIED: _ClassVar[ReportFormat]
    REPORT_FORMAT_JSON: _ClassVar[ReportFormat]
    REPORT_FORMAT_PDF: _ClassVar[ReportFormat]
INTERVIEW_STATE_UNSPECIFIED: InterviewState
INTERVIEW_STATE_IN_PROGRESS: InterviewState
INTERVIEW_STATE_COMPLETED: InterviewState
INTERVIEW_STATE_SCORED: InterviewState
INTERVIEW_STATE_FAILED: InterviewState
DIFFICULTY_UNSPECIFIED: Difficulty
DIFFICULTY_EASY: Difficulty
DIFFICULTY_MEDIUM: Difficulty
DIFFICULTY_HARD: Difficulty
REPORT_FORMAT_UNSPECIFIED: ReportFormat
REPORT_FORMAT_JSON: ReportFormat
REPORT_FORMAT_PDF: ReportFormat

class Question(_message.Message):
    __slots__ = ("id", "text", "category", "difficulty", "expected_duration_seconds")
    ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    text: str
    category: str
    difficulty: Difficulty
    expected_duration_seconds: int
    def __init__(self, id: _Optional[str] = ..., text: _Optional[str] = ..., category: _Optional[str] = ..., difficulty: _Optional[_Union[Difficulty, str]] = ..., expected_duration_seconds: _Optional[int] = ...) -> None: ...

class Interview(_message.Message):
    __slots__ = ("id", "candidate_id", "state", "questions", "answered_question_ids", "started_at", "completed_at", "failure_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_QUESTION_IDS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    candidate_id: str
    state: InterviewState
    questions: _containers.RepeatedCompositeFieldContainer[Question]
    answered_question_ids: _containers.RepeatedScalarFieldContainer[str]
    started_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    failure_reason: str
    def __init__(self, id: _Optional[str] = ..., candidate_id: _Optional[str] = ..., state: _Optional[_Union[InterviewState, str]] = ..., questions: _Optional[_Iterable[_Union[Question, _Mapping]]] = ..., answered_question_ids: _Optional[_Iterable[str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., failure_reason: _Optional[str] = ...) -> None: ...

class StartInterviewRequest(_message.Message):
    __slots__ = ("candidate_id", "categories", "difficulty", "question_count")
    CANDIDATE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    QUESTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    candidate_id: str
    categories: _containers.RepeatedScalarFieldContainer[str]
    difficulty: Difficulty
    question_count: int
    def __init__(self, candidate_id: _Optional[str] = ..., categories: _Optional[_Iterable[str]] = ..., difficulty: _Optional[_Union[Difficulty, str]] = ..., question_count: _Optional[int] = ...) -> None: ...

class ListInterviewsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListInterviewsResponse(_message.Message):
    __slots__ = ("interviews", "next_page_token")
    INTERVIEWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    interviews: _containers.RepeatedCompositeFieldContainer[Interview]
    next_page_token: str
    def __init__(self, interviews: _Optional[_Iterable[_Union[Interview, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetInterviewRequest(_message.Message):
    __slots__ = ("interview_id",)
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    interview_id: str
    def __init__(self, interview_id: _Optional[str] = ...) -> None: ...

class SubmitAnswerRequest(_message.Message):
    __slots__ = ("interview_id", "question_id", "transcript", "duration_seconds", "confidence")
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    QUESTION_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    interview_id: str
    question_id: str
    transcript: str
    duration_seconds: float
    confidence: float
    def __init__(self, interview_id: _Optional[str] = ..., question_id: _Optional[str] = ..., transcript: _Optional[str] = ..., duration_seconds: _Optional[float] = ..., confidence: _Optional[float] = ...) -> None: ...

class SubmitAnswerResponse(_message.Message):
    __slots__ = ("answer_id", "next_question", "progress")
    ANSWER_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_QUESTION_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    answer_id: str
    next_question: Question
    progress: Progress
    def __init__(self, answer_id: _Optional[str] = ..., next_question: _Optional[_Union[Question, _Mapping]] = ..., progress: _Optional[_Union[Progress, _Mapping]] = ...) -> None: ...

class SendFrameRequest(_message.Message):
    __slots__ = ("interview_id", "image_data", "format", "timestamp_ms")
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_DATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    interview_id: str
    image_data: bytes
    format: str
    timestamp_ms: int
    def __init__(self, interview_id: _Optional[str] = ..., image_data: _Optional[bytes] = ..., format: _Optional[str] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...

class SendFrameResponse(_message.Message):
    __slots__ = ("frame_number", "analysis", "queued")
    FRAME_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    frame_number: int
    analysis: _emotion_pb2.EmotionResponse
    queued: bool
    def __init__(self, frame_number: _Optional[int] = ..., analysis: _Optional[_Union[_emotion_pb2.EmotionResponse, _Mapping]] = ..., queued: _Optional[bool] = ...) -> None: ...

class CompleteInterviewRequest(_message.Message):
    __slots__ = ("interview_id",)
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    interview_id: str
    def __init__(self, interview_id: _Optional[str] = ...) -> None: ...

class GetInterviewStatusRequest(_message.Message):
    __slots__ = ("interview_id",)
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    interview_id: str
    def __init__(self, interview_id: _Optional[str] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ("percent", "answered", "total_questions")
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_QUESTIONS_FIELD_NUMBER: _ClassVar[int]
    percent: int
    answered: int
    total_questions: int
    def __init__(self, percent: _Optional[int] = ..., answered: _Optional[int] = ..., total_questions: _Optional[int] = ...) -> None: ...

class InterviewStatus(_message.Message):
    __slots__ = ("interview_id", "state", "progress", "frames_received", "failure_reason")
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    FRAMES_RECEIVED_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    interview_id: str
    state: InterviewState
    progress: Progress
    frames_received: int
    failure_reason: str
    def __init__(self, interview_id: _Optional[str] = ..., state: _Optional[_Union[InterviewState, str]] = ..., progress: _Optional[_Union[Progress, _Mapping]] = ..., frames_received: _Optional[int] = ..., failure_reason: _Optional[str] = ...) -> None: ...

class GetReportRequest(_message.Message):
    __slots__ = ("interview_id", "include_emotions", "format")
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_EMOTIONS_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    interview_id: str
    include_emotions: bool
    format: ReportFormat
    def __init__(self, interview_id: _Optional[str] = ..., include_emotions: _Optional[bool] = ..., format: _Optional[_Union[ReportFormat, str]] = ...) -> None: ...

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

class Report(_message.Message):
    __slots__ = ("interview_id", "scores", "feedback", "report_json", "report", "report_pdf", "report_url", "report_url_expires_at")
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    FEEDBACK_FIELD_NUMBER: _ClassVar[int]
    REPORT_JSON_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    REPORT_PDF_FIELD_NUMBER: _ClassVar[int]
    REPORT_URL_FIELD_NUMBER: _ClassVar[int]
    REPORT_URL_EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    interview_id: str
    scores: Scores
    feedback: str
    report_json: bytes
    report: _report_pb2.InterviewReport
    report_pdf: bytes
    report_url: str
    report_url_expires_at: _timestamp_pb2.Timestamp
    def __init__(self, interview_id: _Optional[str] = ..., scores: _Optional[_Union[Scores, _Mapping]] = ..., feedback: _Optional[str] = ..., report_json: _Optional[bytes] = ..., report: _Optional[_Union[_report_pb2.InterviewReport, _Mapping]] = ..., report_pdf: _Optional[bytes] = ..., report_url: _Optional[str] = ..., report_url_expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StreamInterviewRequest(_message.Message):
    __slots__ = ("frame", "answer", "ping", "interview_id")
    FRAME_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    PING_FIELD_NUMBER: _ClassVar[int]
    INTERVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    frame: StreamFrame
    answer: StreamAnswer
    ping: Ping
    interview_id: str
    def __init__(self, frame: _Optional[_Union[StreamFrame, _Mapping]] = ..., answer: _Optional[_Union[StreamAnswer, _Mapping]] = ..., ping: _Optional[_Union[Ping, _Mapping]] = ..., interview_id: _Optional[str] = ...) -> None: ...

class StreamFrame(_message.Message):
    __slots__ = ("image_data", "format", "timestamp_ms")
    IMAGE_DATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    image_data: bytes
    format: str
    timestamp_ms: int
    def __init__(self, image_data: _Optional[bytes] = ..., format: _Optional[str] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...

class StreamAnswer(_message.Message):
    __slots__ = ("question_id", "transcript", "duration_seconds", "confidence")
    QUESTION_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    question_id: str
    transcript: str
    duration_seconds: float
    confidence: float
    def __init__(self, question_id: _Optional[str] = ..., transcript: _Optional[str] = ..., duration_seconds: _Optional[float] = ..., confidence: _Optional[float] = ...) -> None: ...

class Ping(_message.Message):
    __slots__ = ("sent_at_ms",)
    SENT_AT_MS_FIELD_NUMBER: _ClassVar[int]
    sent_at_ms: int
    def __init__(self, sent_at_ms: _Optional[int] = ...) -> None: ...

class StreamInterviewResponse(_message.Message):
    __slots__ = ("emotion_update", "question", "status", "error", "pong")
    EMOTION_UPDATE_FIELD_NUMBER: _ClassVar[int]
    QUESTION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    PONG_FIELD_NUMBER: _ClassVar[int]
    emotion_update: EmotionUpdate
    question: Question
    status: Progress
    error: StreamError
    pong: Pong
    def __init__(self, emotion_update: _Optional[_Union[EmotionUpdate, _Mapping]] = ..., question: _Optional[_Union[Question, _Mapping]] = ..., status: _Optional[_Union[Progress, _Mapping]] = ..., error: _Optional[_Union[StreamError, _Mapping]] = ..., pong: _Optional[_Union[Pong, _Mapping]] = ...) -> None: ...

class EmotionUpdate(_message.Message):
    __slots__ = ("frame_number", "timestamp_ms", "emotion", "confidence", "face_detected", "face_box", "queued", "blinks")
    FRAME_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    FACE_DETECTED_FIELD_NUMBER: _ClassVar[int]
    FACE_BOX_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    BLINKS_FIELD_NUMBER: _ClassVar[int]
    frame_number: int
    timestamp_ms: int
    emotion: str
    confidence: float
    face_detected: bool
    face_box: _emotion_pb2.BoundingBox
    queued: bool
    blinks: _emotion_pb2.BlinkMetrics
    def __init__(self, frame_number: _Optional[int] = ..., timestamp_ms: _Optional[int] = ..., emotion: _Optional[str] = ..., confidence: _Optional[float] = ..., face_detected: _Optional[bool] = ..., face_box: _Optional[_Union[_emotion_pb2.BoundingBox, _Mapping]] = ..., queued: _Optional[bool] = ..., blinks: _Optional[_Union[_emotion_pb2.BlinkMetrics, _Mapping]] = ...) -> None: ...

class StreamError(_message.Message):
    __slots__ = ("code", "message", "reason", "retry_after_ms")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_MS_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    reason: str
    retry_after_ms: int
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ..., reason: _Optional[str] = ..., retry_after_ms: _Optional[int] = ...) -> None: ...

class Pong(_message.Message):
    __slots__ = ("sent_at_ms",)
    SENT_AT_MS_FIELD_NUMBER: _ClassVar[int]
    sent_at_ms: int
    def __init__(self, sent_at_ms: _Optional[int] = ...) -> None: ...
