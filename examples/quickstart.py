"""Track a few runs through the Python API, then list them with the CLI.

Run with `make demo`, or `python examples/quickstart.py` inside the project's venv.
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from pathlib import Path

import jupyter_mlops as mlops

STORE = Path(__file__).resolve().parent / "demo-project" / ".mlops"


def train(lr: float, epochs: int, optimizer: str) -> None:
    """A stand-in training loop whose loss falls faster with a better learning rate."""
    rng = random.Random(f"{lr}-{optimizer}")
    with mlops.start_run(name=f"{optimizer}-lr{lr}", experiment="quickstart",
                         params={"lr": lr, "epochs": epochs, "optimizer": optimizer},
                         store=STORE) as run:
        loss = 2.5
        for epoch in range(epochs):
            loss *= 1 - min(0.9, lr * (3 if optimizer == "adam" else 2)) * rng.uniform(0.6, 1.0)
            mlops.log_metrics({"loss": loss, "acc": 1 - math.exp(-3 / (loss + 0.3)) * 0.5}, step=epoch)
        mlops.set_tag("stage", "demo")
    print(f"tracked run {run.id}: {run.name}")


def main() -> int:
    for optimizer in ("adam", "sgd"):
        for lr in (0.3, 0.1, 0.01):
            train(lr, epochs=20, optimizer=optimizer)
    print()
    command = [sys.executable, "-m", "jupyter_mlops", "runs", "--store", str(STORE),
               "--experiment", "quickstart", "--order-by", "metrics.acc desc"]
    print("$ jupyter mlops runs --experiment quickstart --order-by 'metrics.acc desc'")
    return subprocess.call(command, env={**os.environ})


if __name__ == "__main__":
    sys.exit(main())
