"""Write ``data/raw.csv``, the raw table ``prepare.ipynb`` reads: scikit-learn's bundled
handwritten digits, 64 pixel columns (0-16) and a ``label`` column.

    python make_raw.py            # once; `make demo` does it for you
"""

from __future__ import annotations

import sys
from pathlib import Path

RAW = Path(__file__).resolve().parent / "data" / "raw.csv"


def write_raw(path: Path = RAW) -> Path:
    import numpy as np
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ",".join([f"p{i}" for i in range(X.shape[1])] + ["label"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%d", header=header, comments="")
    return path


if __name__ == "__main__":
    print(f"wrote {write_raw()}")
    sys.exit(0)
