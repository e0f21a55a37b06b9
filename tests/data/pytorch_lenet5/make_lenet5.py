#!/usr/bin/python3
"""Trains the LeNet-5 of most PyTorch tutorials on MNIST and exports it to ONNX.

This is the foreign model LeNet Studio's ONNX import is tested with. The files it wrote are
committed beside it, so CI needs no PyTorch:
  lenet5.onnx         torch.onnx.export at opset 13, input 1x1x28x28, pixels in [0, 1]
                      (torchvision's ToTensor convention), output the 10 logits
  predictions.csv     PyTorch's predicted class of every MNIST test image (index,label,predicted)
  pytorch_result.txt  the test error PyTorch printed, and the versions that made the files

Run with Debian's python3-torch:  /usr/bin/python3 make_lenet5.py DATA_DIR [OUT_DIR]
where DATA_DIR holds MNIST's four IDX files (raw or .gz).
"""
import gzip
import os
import sys

import numpy as np
import torch
from torch import nn


def read_idx(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            opener = gzip.open if candidate.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    sys.exit(f"make_lenet5.py: {name} is not in {folder}")


def load(folder, prefix):
    images = read_idx(folder, f"{prefix}-images-idx3-ubyte")
    labels = read_idx(folder, f"{prefix}-labels-idx1-ubyte")
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    data_dir = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    torch.manual_seed(1)
    torch.set_num_threads(2)
    train_x, train_y = load(data_dir, "train")
    test_x, test_y = load(data_dir, "t10k")

    model = LeNet5()
    optimiser = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    epochs, batch = 3, 64
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(train_x))
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            optimiser.zero_grad()
            loss = loss_fn(model(train_x[idx]), train_y[idx])
            loss.backward()
            optimiser.step()
        print(f"epoch {epoch + 1}/{epochs}: last batch loss {loss.item():.4f}", flush=True)

    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(test_x[s:s + 1000]).argmax(1) for s in range(0, 10000, 1000)])
    errors = int((predicted != test_y).sum())
    line = f"PyTorch test error: {errors} of {len(test_y)} ({100.0 * errors / len(test_y):.2f} %)"
    print(line)

    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), os.path.join(out_dir, "lenet5.onnx"),
                      opset_version=13, input_names=["image"], output_names=["logits"])
    with open(os.path.join(out_dir, "predictions.csv"), "w") as f:
        f.write("index,label,predicted\n")
        for i, (label, guess) in enumerate(zip(test_y.tolist(), predicted.tolist())):
            f.write(f"{i},{label},{guess}\n")
    with open(os.path.join(out_dir, "pytorch_result.txt"), "w") as f:
        f.write(line + "\n")
        f.write(f"errors={errors}\n")
        f.write(f"made by make_lenet5.py with torch {torch.__version__}, numpy {np.__version__}, "
                f"{epochs} epochs of SGD (lr 0.05, momentum 0.9, batch {batch}, seed 1)\n")


if __name__ == "__main__":
    main()
