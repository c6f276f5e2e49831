import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GazeDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GAZE_DIRECTION_UNSPECIFIED: _ClassVar[GazeDirection]
    GAZE_DIRECTION_SCREEN: _ClassVar[GazeDirection]
    GAZE_DIRECTION_LEFT: _ClassVar[GazeDirection]
    GAZE_DIRECTION_RIGHT: _ClassVar[GazeDirection]
    GAZE_DIRECTION_UP: _ClassVar[GazeDirection]
    GAZE_DIRECTION_DOWN: _ClassVar[GazeDirection]
    GAZE_DIRECTION_CLOSED: _ClassVar[GazeDirection]

class Verdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERDICT_UNSPECIFIED: _ClassVar[Verdict]
    VERDICT_CLEAR: _ClassVar[Verdict]
    VERDICT_REVIEW: _ClassVar[Verdict]
    VERDICT_FLAGGED: _ClassVar[Verdict]

class EventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_KIND_UNSPECIFIED: _ClassVar[EventKind]
    EVENT_KIND_LOOKING_AWAY: _ClassVar[EventKind]
    EVENT_KIND_FACE_MISSING: _ClassVar[EventKind]
    EVENT_KIND_MULTIPLE_FACES: _ClassVar[EventKind]
    EVENT_KIND_HEAD_TURNED: _ClassVar[EventKind]
    EVENT_KIND_PHONE_IN_VIEW: _ClassVar[EventKind]
    EVENT_KIND_BOOK_IN_VIEW: _ClassVar[EventKind]
    EVENT_KIND_SCREEN_IN_VIEW: _ClassVar[EventKind]
    EVENT_KIND_ANOTHER_PERSON: _ClassVar[EventKind]
GAZE_DIRECTION_UNSPECIFIED: GazeDirection
GAZE_DIRECTION_SCREEN: GazeDirection
GAZE_DIRECTION_LEFT: GazeDirection
GAZE_DIRECTION_RIGHT: GazeDirection
GAZE_DIRECTION_UP: GazeDirection
GAZE_DIRECTION_DOWN: GazeDirection
GAZE_DIRECTION_CLOSED: GazeDirection
VERDICT_UNSPECIFIED: Verdict
VERDICT_CLEAR: Verdict
VERDICT_REVIEW: Verdict
VERDICT_FLAGGED: Verdict
EVENT_KIND_UNSPECIFIED: EventKind
EVENT_KIND_LOOKING_AWAY: EventKind
EVENT_KIND_FACE_MISSING: EventKind
EVENT_KIND_MULTIPLE_FACES: EventKind
EVENT_KIND_HEAD_TURNED: EventKind
EVENT_KIND_PHONE_IN_VIEW: EventKind
EVENT_KIND_BOOK_IN_VIEW: EventKind
EVENT_KIND_SCREEN_IN_VIEW: EventKind
EVENT_KIND_ANOTHER_PERSON: EventKind

class AnalyzeFrameRequest(_message.Message):
    __slots__ = ("image_data", "format", "skip_objects")
    IMAGE_DATA_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SKIP_OBJECTS_FIELD_NUMBER: _ClassVar[int]
    image_data: bytes
    format: str
    skip_objects: bool
    def __init__(self, image_data: _Optional[bytes] = ..., format: _Optional[str] = ..., skip_objects: _Optional[bool] = ...) -> None: ...

class Box(_message.Message):
    __slots__ = ("x", "y", "width", "height")
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    x: float
    y: float
    width: float
    height: float
    def __init__(self, x: _Optional[float] = ..., y: _Optional[float] = ..., width: _Optional[float] = ..., height: _Optional[float] = ...) -> None: ...

class FaceInView(_message.Message):
    __slots__ = ("box", "score")
    BOX_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    box: Box
    score: float
    def __init__(self, box: _Optional[_Union[Box, _Mapping]] = ..., score: _Optional[float] = ...) -> None: ...

class HeadPose(_message.Message):
    __slots__ = ("yaw_degrees", "pitch_degrees", "roll_degrees")
    YAW_DEGREES_FIELD_NUMBER: _ClassVar[int]
    PITCH_DEGREES_FIELD_NUMBER: _ClassVar[int]
    ROLL_DEGREES_FIELD_NUMBER: _ClassVar[int]
    yaw_degrees: float
    pitch_degrees: float
    roll_degrees: float
    def __init__(self, yaw_degrees: _Optional[float] = ..., pitch_degrees: _Optional[float] = ..., roll_degrees: _Optional[float] = ...) -> None: ...

class Gaze(_message.Message):
    __slots__ = ("direction", "yaw_degrees", "pitch_degrees")
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    YAW_DEGREES_FIELD_NUMBER: _ClassVar[int]
    PITCH_DEGREES_FIELD_NUMBER: _ClassVar[int]
    direction: GazeDirection
    yaw_degrees: float
    pitch_degrees: float
    def __init__(self, direction: _Optional[_Union[GazeDirection, str]] = ..., yaw_degrees: _Optional[float] = ..., pitch_degrees: _Optional[float] = ...) -> None: ...

class DetectedObject(_message.Message):
    __slots__ = ("label", "score", "box")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BOX_FIELD_NUMBER: _ClassVar[int]
    label: str
    score: float
    box: Box
    def __init__(self, label: _Optional[str] = ..., score: _Optional[float] = ..., box: _Optional[_Union[Box, _Mapping]] = ...) -> None: ...

class FrameIntegrity(_message.Message):
    __slots__ = ("faces", "head_pose", "gaze", "objects_checked", "objects", "width", "height")
    FACES_FIELD_NUMBER: _ClassVar[int]
    HEAD_POSE_FIELD_NUMBER: _ClassVar[int]
    GAZE_FIELD_NUMBER: _ClassVar[int]
    OBJECTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    OBJECTS_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    faces: _containers.RepeatedCompositeFieldContainer[FaceInView]
    head_pose: HeadPose
    gaze: Gaze
    objects_checked: bool
    objects: _containers.RepeatedCompositeFieldContainer[DetectedObject]
    width: int
    height: int
    def __init__(self, faces: _Optional[_Iterable[_Union[FaceInView, _Mapping]]] = ..., head_pose: _Optional[_Union[HeadPose, _Mapping]] = ..., gaze: _Optional[_Union[Gaze, _Mapping]] = ..., objects_checked: _Optional[bool] = ..., objects: _Optional[_Iterable[_Union[DetectedObject, _Mapping]]] = ..., width: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class GetAssessmentRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class IntegrityEvent(_message.Message):
    __slots__ = ("kind", "started_at", "confirmed_at", "frame_number", "weight", "risk_after", "detail")
    KIND_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_AT_FIELD_NUMBER: _ClassVar[int]
    FRAME_NUMBER_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    RISK_AFTER_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    kind: EventKind
    started_at: _timestamp_pb2.Timestamp
    confirmed_at: _timestamp_pb2.Timestamp
    frame_number: int
    weight: float
    risk_after: float
    detail: str
    def __init__(self, kind: _Optional[_Union[EventKind, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., confirmed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., frame_number: _Optional[int] = ..., weight: _Optional[float] = ..., risk_after: _Optional[float] = ..., detail: _Optional[str] = ...) -> None: ...

class RiskPolicy(_message.Message):
    __slots__ = ("half_life_seconds", "review_threshold", "flag_threshold")
    HALF_LIFE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    FLAG_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    half_life_seconds: float
    review_threshold: float
    flag_threshold: float
    def __init__(self, half_life_seconds: _Optional[float] = ..., review_threshold: _Optional[float] = ..., flag_threshold: _Optional[float] = ...) -> None: ...

class Assessment(_message.Message):
    __slots__ = ("session_id", "verdict", "risk", "peak_risk", "peak_at", "frames_analyzed", "first_frame_at", "last_frame_at", "events", "events_total", "policy")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    PEAK_RISK_FIELD_NUMBER: _ClassVar[int]
    PEAK_AT_FIELD_NUMBER: _ClassVar[int]
    FRAMES_ANALYZED_FIELD_NUMBER: _ClassVar[int]
    FIRST_FRAME_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_FRAME_AT_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    verdict: Verdict
    risk: float
    peak_risk: float
    peak_at: _timestamp_pb2.Timestamp
    frames_analyzed: int
    first_frame_at: _timestamp_pb2.Timestamp
    last_frame_at: _timestamp_pb2.Timestamp
    events: _containers.RepeatedCompositeFieldContainer[IntegrityEvent]
    events_total: int
    policy: RiskPolicy
    def __init__(self, session_id: _Optional[str] = ..., verdict: _Optional[_Union[Verdict, str]] = ..., risk: _Optional[float] = ..., peak_risk: _Optional[float] = ..., peak_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., frames_analyzed: _Optional[int] = ..., first_frame_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_frame_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., events: _Optional[_Iterable[_Union[IntegrityEvent, _Mapping]]] = ..., events_total: _Optional[int] = ..., policy: _Optional[_Union[RiskPolicy, _Mapping]] = ...) -> None: ...
