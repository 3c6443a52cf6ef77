"""A standalone Python script, in the lesson's style, that repeats a polyreg run in plain PyTorch.

The script uses the lesson's parts (a ``Dataset``, the ``CustomModel`` around ``nn.Linear``,
``MSELoss``, a ``torch.optim`` optimizer, ``loss.backward()``) with polyreg's seed semantics,
so on the same CSV it prints the same weights as the app. Every value that came from a user
(file and column names) is written as a Python string literal with ``repr``, so it cannot
become code.
"""

from __future__ import annotations

from polyreg_core.i18n import t
from polyreg_core.portable import PortableModel

SCRIPT_NAME = "polyreg_run.py"

_TEMPLATE = '''\
"""{header}

{usage}
    python {script_name} [CSV]
"""

import hashlib
import math
import sys

import numpy as np
import pandas as pd
import torch
from torch import nn, optim

# the run's settings, as polyreg recorded them
CSV_PATH = sys.argv[1] if len(sys.argv) > 1 else {csv_name}
X_COLUMN = {x_column}
Y_COLUMN = {y_column}
DEGREE = {degree}
EPOCHS = {epochs}
LR = {lr}
BATCH_SIZE = {batch_size}
SHUFFLE = {shuffle}
DROP_LAST = {drop_last}
SEED = {seed}
OPTIMIZER = {optimizer}
MOMENTUM = {momentum}
STANDARDIZE = {standardize}
FINGERPRINT = {fingerprint}  # first 16 hex digits of a SHA-256 of the x and y values
# polyreg's SGD engine on the CPU or CUDA computes in float64 on float32-rounded data, so
# float64 here repeats its weights. Adam, and anything on MPS, trained in float32.
DTYPE = {dtype}


class CustomDataset(torch.utils.data.Dataset):
    def __init__(self, file_path):
        if file_path.lower().endswith((".xlsx", ".xlsm")):
            df = pd.read_excel(file_path)
        else:
            df = pd.read_csv(file_path, skipinitialspace=True)
        df.columns = [str(c).strip() for c in df.columns]
        df = df[[X_COLUMN, Y_COLUMN]].apply(pd.to_numeric, errors="coerce").dropna()
        self.x = df[X_COLUMN].to_numpy(np.float64)
        self.y = df[Y_COLUMN].to_numpy(np.float64)
        self.fingerprint = hashlib.sha256(self.x.tobytes() + self.y.tobytes()).hexdigest()[:16]

        features = self.x[:, None] ** np.arange(DEGREE, 0, -1)  # (n, DEGREE): [x^d, ..., x]
        self.mean, self.std = np.zeros(DEGREE), np.ones(DEGREE)
        if STANDARDIZE:
            self.mean = features.mean(axis=0)
            std = features.std(axis=0)
            self.std = np.where(std > 0, std, 1.0)  # a constant column stays unscaled
        features = (features - self.mean) / self.std
        self.features = torch.tensor(features, dtype=torch.float32)  # (n, DEGREE)
        self.targets = torch.tensor(self.y, dtype=torch.float32)[:, None]  # (n, 1)

    def __getitem__(self, index):
        return self.features[index], self.targets[index]

    def __len__(self):
        return len(self.features)


class CustomModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(DEGREE, 1)

    def forward(self, x):
        x = self.layer(x)
        return x


train_dataset = CustomDataset(CSV_PATH)
if train_dataset.fingerprint != FINGERPRINT:
    print({mismatch}, file=sys.stderr)

device = "cuda" if torch.cuda.is_available() else "cpu"
# One generator draws the initial weights and then every epoch's order, as in polyreg.
# DataLoader is not used because it takes an extra number from the generator each epoch.
generator = torch.Generator().manual_seed(SEED)
model = CustomModel()
bound = 1 / math.sqrt(DEGREE)
with torch.no_grad():
    model.layer.weight.uniform_(-bound, bound, generator=generator)
    model.layer.bias.uniform_(-bound, bound, generator=generator)
model = model.to(device=device, dtype=DTYPE)
criterion = nn.MSELoss().to(device)
if OPTIMIZER == "adam":
    optimizer = optim.Adam(model.parameters(), lr=LR)
else:
    optimizer = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

n = len(train_dataset)
batches = n // BATCH_SIZE if DROP_LAST else math.ceil(n / BATCH_SIZE)
for epoch in range(EPOCHS):
    order = torch.randperm(n, generator=generator) if SHUFFLE else torch.arange(n)
    cost = 0.0

    for i in range(batches):
        x, y = train_dataset[order[i * BATCH_SIZE : (i + 1) * BATCH_SIZE]]
        x = x.to(device=device, dtype=DTYPE)
        y = y.to(device=device, dtype=DTYPE)

        output = model(x)
        loss = criterion(output, y)

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        cost += loss.item()

    cost = cost / batches

    if (epoch + 1) % 1000 == 0:
        print(f"Epoch : {{epoch + 1:4d}}, Model : {{list(model.parameters())}}, Cost : {{cost:.3f}}")

# polyreg keeps the weights as float32; map them back to the original x^k scale
model = model.to(device="cpu", dtype=torch.float32)
weights = model.layer.weight.detach().double().numpy()[0] / train_dataset.std
bias = float(model.layer.bias.detach().double()) - float(weights @ train_dataset.mean)
print("weights:", [float(w) for w in weights])
print("bias:", bias)

with torch.no_grad():
    model.eval()
    x = np.array([1.0, 5.0, 11.0])
    features = (x[:, None] ** np.arange(DEGREE, 0, -1) - train_dataset.mean) / train_dataset.std
    outputs = model(torch.tensor(features, dtype=torch.float32))
    for value, output in zip(x, outputs[:, 0]):
        print(f"x = {{value:g}} -> {{float(output):.4f}}")
'''


def render_script(model: PortableModel, lang: str) -> str:
    """Return the source of a script that repeats ``model``'s run for its epochs done."""
    config = model.config
    # The closed-form SGD engine runs in float64; Adam and anything on MPS run in float32.
    # NOTE: a model loaded from a file or link does not record the device that "auto" chose,
    # so a run that "auto" put on MPS gets float64 here and matches only to about 1e-5.
    on_mps = config.device == "mps" or model.result.device.startswith("mps")
    float64 = config.optimizer == "sgd" and not on_mps
    return _TEMPLATE.format(
        header=t("export.script_header", lang),
        usage=t("export.script_usage", lang),
        script_name=SCRIPT_NAME,
        csv_name=repr(model.data.name or "dataset.csv"),
        x_column=repr(model.data.x_column),
        y_column=repr(model.data.y_column),
        degree=int(config.degree),
        epochs=int(model.epochs_done),
        lr=repr(float(config.lr)),
        batch_size=int(config.batch_size),
        shuffle=bool(config.shuffle),
        drop_last=bool(config.drop_last),
        seed=int(config.seed),
        optimizer=repr(str(config.optimizer)),
        momentum=repr(float(config.momentum)),
        standardize=bool(config.standardize),
        fingerprint=repr(model.data.fingerprint),
        dtype="torch.float64" if float64 else "torch.float32",
        mismatch=repr(t("export.script_mismatch", lang)),
    )
