"""Checks `lenet export` files with the onnx Python package (Debian's python3-onnx): the full
checker, strict shape inference (which the C++ checker in the export does not run), and that
the inferred output shape is N x classes.

Usage: check_onnx.py LENET MODEL... (each MODEL is exported to a temporary .onnx and checked)"""
import os
import subprocess
import sys
import tempfile

import onnx


def check(lenet, model, folder):
    path = os.path.join(folder, os.path.basename(model) + ".onnx")
    subprocess.run([lenet, "export", "--model", model, "--onnx", path], check=True)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(proto, strict_mode=True)
    dims = inferred.graph.output[0].type.tensor_type.shape.dim
    if len(dims) != 2 or not dims[1].dim_value:
        sys.exit(f"{path}: the first output's shape is not N x classes: {dims}")
    print(f"{path}: opset {proto.opset_import[0].version}, {len(proto.graph.node)} nodes, "
          f"output {inferred.graph.output[0].name} N x {dims[1].dim_value}: OK")


def main():
    lenet, models = sys.argv[1], sys.argv[2:]
    with tempfile.TemporaryDirectory() as folder:
        for model in models:
            check(lenet, model, folder)


if __name__ == "__main__":
    main()
