"""protoc plugin for gRPC's Python stubs (`*_pb2_grpc.py`), for buf.gen.yaml.

grpcio-tools ships gRPC's Python generator only inside its own protoc (`python -m grpc_tools.protoc
--grpc_python_out`), not as a `protoc-gen-*` program, and buf runs only protoc's own built-in
generators (python, pyi) through `protoc_builtin`. This adapter speaks the protoc plugin protocol:
it reads buf's CodeGeneratorRequest from stdin, hands the files to grpcio-tools' protoc as a
descriptor set (no .proto parsing here), and answers with the generated files.
"""

import os
import sys
import tempfile

from google.protobuf import descriptor_pb2
from google.protobuf.compiler import plugin_pb2
from grpc_tools import protoc


def generate(request: plugin_pb2.CodeGeneratorRequest) -> plugin_pb2.CodeGeneratorResponse:
    response = plugin_pb2.CodeGeneratorResponse(
        supported_features=plugin_pb2.CodeGeneratorResponse.FEATURE_PROTO3_OPTIONAL
    )
    with tempfile.TemporaryDirectory() as work:
        descriptors = os.path.join(work, "input.binpb")
        with open(descriptors, "wb") as f:
            f.write(descriptor_pb2.FileDescriptorSet(file=request.proto_file).SerializeToString())
        out = os.path.join(work, "out")
        os.mkdir(out)
        options = f"{request.parameter}:" if request.parameter else ""
        code = protoc.main(
            ["protoc", f"--descriptor_set_in={descriptors}", f"--grpc_python_out={options}{out}", *request.file_to_generate]
        )
        if code != 0:
            response.error = f"grpc_tools.protoc --grpc_python_out exited with {code}"
            return response
        for root, _, files in os.walk(out):
            for name in sorted(files):
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    response.file.add(name=os.path.relpath(path, out), content=f.read())
    return response


if __name__ == "__main__":
    request = plugin_pb2.CodeGeneratorRequest.FromString(sys.stdin.buffer.read())
    sys.stdout.buffer.write(generate(request).SerializeToString())
