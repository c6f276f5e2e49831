from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FrameRequest(_message.Message):
    __slots__ = ("session_id", "image_data", "timestamp", "format", "trace_context")
    class TraceContextEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_DATA_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TRACE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    image_data: bytes
    timestamp: int
    format: str
    trace_context: _containers.ScalarMap[str, str]
    def __init__(self, session_id: _Optional[str] = ..., image_data: _Optional[bytes] = ..., timestamp: _Optional[int] = ..., format: _Optional[str] = ..., trace_context: _Optional[_Mapping[str, str]] = ...) -> None: ...

class BatchRequest(_message.Message):
    __slots__ = ("session_id", "frames")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    frames: _containers.RepeatedCompositeFieldContainer[FrameRequest]
    def __init__(self, session_id: _Optional[str] = ..., frames: _Optional[_Iterable[_Union[FrameRequest, _Mapping]]] = ...) -> None: ...

class EmotionResponse(_message.Message):
    __slots__ = ("session_id", "timestamp", "emotion", "confidence", "face_metrics", "blink_metrics", "error")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    FACE_METRICS_FIELD_NUMBER: _ClassVar[int]
    BLINK_METRICS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    timestamp: int
    emotion: str
    confidence: float
    face_metrics: FaceMetrics
    blink_metrics: BlinkMetrics
    error: FrameError
    def __init__(self, session_id: _Optional[str] = ..., timestamp: _Optional[int] = ..., emotion: _Optional[str] = ..., confidence: _Optional[float] = ..., face_metrics: _Optional[_Union[FaceMetrics, _Mapping]] = ..., blink_metrics: _Optional[_Union[BlinkMetrics, _Mapping]] = ..., error: _Optional[_Union[FrameError, _Mapping]] = ...) -> None: ...

class FrameError(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: int
    message: str
    def __init__(self, code: _Optional[int] = ..., message: _Optional[str] = ...) -> None: ...

class FaceResponse(_message.Message):
    __slots__ = ("detected", "box", "landmarks")
    DETECTED_FIELD_NUMBER: _ClassVar[int]
    BOX_FIELD_NUMBER: _ClassVar[int]
    LANDMARKS_FIELD_NUMBER: _ClassVar[int]
    detected: bool
    box: BoundingBox
    landmarks: _containers.RepeatedCompositeFieldContainer[Landmark]
    def __init__(self, detected: _Optional[bool] = ..., box: _Optional[_Union[BoundingBox, _Mapping]] = ..., landmarks: _Optional[_Iterable[_Union[Landmark, _Mapping]]] = ...) -> None: ...

class BlinkResponse(_message.Message):
    __slots__ = ("blink_count", "blink_rate", "blink_timestamps", "eye_aspect_ratio", "face_detected")
    BLINK_COUNT_FIELD_NUMBER: _ClassVar[int]
    BLINK_RATE_FIELD_NUMBER: _ClassVar[int]
    BLINK_TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    EYE_ASPECT_RATIO_FIELD_NUMBER: _ClassVar[int]
    FACE_DETECTED_FIELD_NUMBER: _ClassVar[int]
    blink_count: int
    blink_rate: float
    blink_timestamps: _containers.RepeatedScalarFieldContainer[int]
    eye_aspect_ratio: float
    face_detected: bool
    def __init__(self, blink_count: _Optional[int] = ..., blink_rate: _Optional[float] = ..., blink_timestamps: _Optional[_Iterable[int]] = ..., eye_aspect_ratio: _Optional[float] = ..., face_detected: _Optional[bool] = ...) -> None: ...

class FaceMetrics(_message.Message):
    __slots__ = ("detected", "detection_confidence", "bounding_box", "landmarks")
    DETECTED_FIELD_NUMBER: _ClassVar[int]
    DETECTION_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    BOUNDING_BOX_FIELD_NUMBER: _ClassVar[int]
    LANDMARKS_FIELD_NUMBER: _ClassVar[int]
    detected: bool
    detection_confidence: float
    bounding_box: BoundingBox
    landmarks: _containers.RepeatedCompositeFieldContainer[Landmark]
    def __init__(self, detected: _Optional[bool] = ..., detection_confidence: _Optional[float] = ..., bounding_box: _Optional[_Union[BoundingBox, _Mapping]] = ..., landmarks: _Optional[_Iterable[_Union[Landmark, _Mapping]]] = ...) -> None: ...

class BlinkMetrics(_message.Message):
    __slots__ = ("count", "rate", "avg_duration", "eye_aspect_ratio")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    AVG_DURATION_FIELD_NUMBER: _ClassVar[int]
    EYE_ASPECT_RATIO_FIELD_NUMBER: _ClassVar[int]
    count: int
    rate: float
    avg_duration: float
    eye_aspect_ratio: float
    def __init__(self, count: _Optional[int] = ..., rate: _Optional[float] = ..., avg_duration: _Optional[float] = ..., eye_aspect_ratio: _Optional[float] = ...) -> None: ...

class BoundingBox(_message.Message):
    __slots__ = ("x", "y", "width", "height")
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    x: int
    y: int
    width: int
    height: int
    def __init__(self, x: _Optional[int] = ..., y: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class Landmark(_message.Message):
    __slots__ = ("x", "y", "type")
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    x: int
    y: int
    type: str
    def __init__(self, x: _Optional[int] = ..., y: _Optional[int] = ..., type: _Optional[str] = ...) -> None: ...
