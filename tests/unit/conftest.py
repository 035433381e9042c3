"""Make `src/` importable when the package is not installed into the environment."""

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"

if importlib.util.find_spec("meetbook") is None:
    sys.path.insert(0, str(SRC))
