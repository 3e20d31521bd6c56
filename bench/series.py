"""Wall time of the lessons under nbval, as the test command runs them: one by one, and side by side."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lessons() -> list[Path]:
    """Return the lesson notebooks in order."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _pytest(args: list[str]) -> float:
    """Run pytest with `args` from the repository root; return the wall seconds. Raises if a test fails."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"pytest {' '.join(args)} failed:\n{result.stdout[-3000:]}")
    return seconds


def measure(paths: list[Path] | None = None) -> dict[str, float]:
    """Return {lesson: wall seconds} with each lesson alone in one pytest process (one worker, kernel start
    included), then the lessons all in one pytest process with one worker per core, and the serial sum."""
    paths = paths or lessons()
    seconds = {path.name: _pytest(["-n", "0", str(path)]) for path in paths}
    seconds["all lessons, one after another (sum)"] = sum(seconds.values())
    seconds[f"all lessons, side by side ({os.cpu_count()} workers)"] = _pytest([str(p) for p in paths])
    return seconds


def test_command() -> float:
    """Return the wall seconds of the README's test command, `python -m pytest`, run from the repository root."""
    return _pytest([])
