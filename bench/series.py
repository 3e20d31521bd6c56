"""Wall time of every lesson executed under nbval, as the test command runs it, one lesson per pytest process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lessons() -> list[Path]:
    """Return the lesson notebooks in order."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def measure(paths: list[Path] | None = None) -> dict[str, float]:
    """Run each lesson through `pytest` with nbval; return {lesson: wall seconds}. Raises if a lesson fails."""
    seconds = {}
    for path in paths or lessons():
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(path)],
                                cwd=ROOT, capture_output=True, text=True)
        seconds[path.name] = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(f"{path.name} failed under nbval:\n{result.stdout[-3000:]}")
    return seconds
