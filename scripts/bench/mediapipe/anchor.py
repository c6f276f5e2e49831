"""MediaPipe's own face pipeline timed on one JPEG frame: the anchor `npm run bench:emotion` compares the emotion service with.

The pipeline is the one the issue measured: MediaPipe 0.10.21 from PyPI (scripts/bench/mediapipe/requirements.txt, in
.cache/mediapipe-venv made by ensure-venv.sh), its legacy FaceMesh solution
(`mediapipe.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=False)`: TFLite
on the CPU, XNNPACK, the face detected on the first frame and then tracked from the previous frame's landmarks, 468
landmarks of one face), the frame decoded by `cv2.imdecode` and converted from BGR to RGB (FaceMesh takes RGB).

Usage: `anchor.py --frame PATH.jpg --calls N --warmup W [--cpu K]`. Each call decodes the frame's bytes and runs
FaceMesh on the pixels, as one session's consecutive frames (the same frame each time, so the face is tracked); the
first W calls, at least one, are not timed (the first must find a face). Prints ONE JSON object on stdout, durations
in milliseconds from `time.perf_counter_ns`:

    {"mediapipe": "0.10.21", "opencv": "4.11.0.86", "cpu": K, "calls": N,
     "decode_ms": {"median": ..., "p99": ...}, "face_mesh_ms": {...}, "faces_found_fraction": 1.0}

decode_ms is `np.frombuffer` + `cv2.imdecode` + `cv2.cvtColor(BGR2RGB)`; face_mesh_ms is `FaceMesh.process` (the graph:
detection when it runs, the mesh, the landmarks as protobuf messages). median and p99 are the sample at index
floor(q * N) of the N sorted samples (as scripts/bench/emotion.ts computes them). faces_found_fraction is the share of
the N timed calls that found a face (mediapipe-anchor.ts refuses the figures unless it is 1). Exits 1 (the reason on
stderr) when the first call finds no face or the frame does not decode, 2 on bad arguments; MediaPipe's own logging
goes to stderr.

One core, one thread of work: the process is pinned to CPU K (`os.sched_setaffinity`, K defaults to the highest CPU
it may run on) before numpy, OpenCV and MediaPipe are imported, so every thread they start inherits the mask, and
every thread of the process is pinned again before the timed calls. OpenCV runs single-threaded
(`cv2.setNumThreads(1)`). MediaPipe's legacy solutions take no thread count (FaceMesh's arguments are the four
above and min_*_confidence; SolutionBase's calculator_params reach only the top graph's nodes, not the detection and
mesh subgraphs' InferenceCalculators). Its defaults already run each model on one thread: both InferenceCalculators
ask for the XNNPACK delegate with num_threads unset (-1), which MediaPipe's Linux build turns into 1
(GetXnnpackNumThreads), and the TFLite interpreter keeps its default of one thread (cpu_num_thread -1). The graph's
scheduler runs calculators on a pool of min(CPU cores online, graph nodes) threads (CalculatorGraphConfig.num_threads
unset: 2 on a 2-core machine, so 3 threads with the main thread), which the pinning puts on the one core.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TypedDict


class Quantiles(TypedDict):
    """Two quantiles of a duration, in milliseconds."""

    median: float
    p99: float


@dataclass(frozen=True)
class Options:
    """The command line: the JPEG file, timed calls, untimed calls before them, the CPU to run on."""

    frame: Path
    calls: int
    warmup: int
    cpu: int


class Failure(Exception):
    """A reason to exit 1 with a message (no face on the frame, a frame that does not decode)."""


def parse_options(argv: list[str]) -> Options:
    """The options of `argv` (without the program name); exits 2 with argparse's message when they are wrong."""
    allowed = sorted(os.sched_getaffinity(0))
    parser = argparse.ArgumentParser(description="MediaPipe 0.10.21 FaceMesh timed on one JPEG frame, on one CPU; prints one JSON object.")
    parser.add_argument("--frame", type=Path, required=True, help="the JPEG file")
    parser.add_argument("--calls", type=int, required=True, help="timed calls (at least 1)")
    parser.add_argument("--warmup", type=int, required=True, help="untimed calls before them (0 or more)")
    parser.add_argument("--cpu", type=int, default=allowed[-1], help=f"the CPU to pin the process to (default {allowed[-1]}; allowed {allowed})")
    args = parser.parse_args(argv)
    options = Options(frame=args.frame, calls=args.calls, warmup=args.warmup, cpu=args.cpu)
    if options.calls < 1:
        parser.error("--calls must be at least 1")
    if options.warmup < 0:
        parser.error("--warmup must be 0 or more")
    if options.cpu not in allowed:
        parser.error(f"--cpu {options.cpu} is not one of the CPUs this process may run on: {allowed}")
    if not options.frame.is_file():
        parser.error(f"--frame {options.frame} is not a file")
    return options


def pin_threads(cpu: int) -> None:
    """Pins every thread of this process to CPU `cpu` (Linux: each task of /proc/self/task)."""
    for tid in [int(name) for name in os.listdir("/proc/self/task")]:
        try:
            if os.sched_getaffinity(tid) != {cpu}:
                os.sched_setaffinity(tid, {cpu})
        except ProcessLookupError:
            continue  # the thread ended since the listing


def quantiles(samples_ns: list[int]) -> Quantiles:
    """Median and p99 of durations in nanoseconds, in milliseconds: the sample at index floor(q * n) of the sorted n."""
    ordered = sorted(samples_ns)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1e6, 4)

    return {"median": at(0.5), "p99": at(0.99)}


def measure(options: Options) -> dict[str, object]:
    """Runs the calls on CPU `options.cpu` and returns the JSON object's fields (durations in milliseconds)."""
    # Pinned before numpy, OpenCV and MediaPipe start threads (OpenBLAS's at import, the graph's), so all inherit it.
    os.sched_setaffinity(0, {options.cpu})
    # `import mediapipe` imports matplotlib, which writes a font cache: in the venv rather than the user's home.
    os.environ.setdefault("MPLCONFIGDIR", str(Path(sys.prefix) / "matplotlib"))
    import cv2  # noqa: PLC0415 (imported once pinned, see above)
    import numpy as np  # noqa: PLC0415
    from mediapipe.python.solutions.face_mesh import FaceMesh  # type: ignore[import-untyped]  # noqa: PLC0415 (mediapipe ships no type information)

    cv2.setNumThreads(1)
    jpeg = options.frame.read_bytes()
    decoded: object = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    if not isinstance(decoded, np.ndarray):
        raise Failure(f"{options.frame} does not decode as an image (cv2.imdecode)")
    height, width = decoded.shape[:2]

    decode_ns: list[int] = []
    mesh_ns: list[int] = []
    found = 0
    # Untimed: the warm-up, at least one call (the first, which must detect the face, or there is nothing to measure).
    untimed = max(options.warmup, 1)
    with FaceMesh(static_image_mode=False, max_num_faces=1, refine_landmarks=False) as face_mesh:
        for call in range(untimed + options.calls):
            if call == untimed:
                # The graph's threads exist by now: checked (and pinned, were one not) before the timed calls.
                pin_threads(options.cpu)
            started = time.perf_counter_ns()
            rgb = cv2.cvtColor(cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
            decoded_at = time.perf_counter_ns()
            results = face_mesh.process(rgb)
            finished = time.perf_counter_ns()
            faces = results.multi_face_landmarks or []
            if call == 0 and not faces:
                raise Failure(f"MediaPipe FaceMesh found no face on {options.frame} ({width}x{height}): the anchor needs a frame with one face")
            if call >= untimed:
                decode_ns.append(decoded_at - started)
                mesh_ns.append(finished - decoded_at)
                found += 1 if faces else 0

    return {
        "mediapipe": version("mediapipe"),
        "opencv": version("opencv-python-headless"),
        "cpu": options.cpu,
        "calls": options.calls,
        "decode_ms": quantiles(decode_ns),
        "face_mesh_ms": quantiles(mesh_ns),
        "faces_found_fraction": found / options.calls,
    }


def main(argv: list[str]) -> int:
    """The command: prints the JSON object on stdout and returns 0, or the reason on stderr and returns 1."""
    options = parse_options(argv)
    # Whatever MediaPipe's native code prints goes to stderr: stdout holds the JSON object only.
    stdout = os.dup(1)
    os.dup2(2, 1)
    try:
        report = measure(options)
    except Failure as failure:
        print(f"anchor.py: {failure}", file=sys.stderr)
        return 1
    finally:
        sys.stdout.flush()
        os.dup2(stdout, 1)
        os.close(stdout)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
