"""Self-checks for the exercises at the end of each lesson."""

from __future__ import annotations

import math
from typing import Any


def check(answer: Any, expected: Any, *, tol: float = 1e-4, hint: str = "") -> str:
    """Return a verdict on an exercise answer; raise AssertionError (with `hint`) when it is wrong."""
    if answer is None or answer is Ellipsis:
        return "Not answered yet: replace the `None` above with your answer and run the cell again."
    if isinstance(expected, float):
        ok = isinstance(answer, (int, float)) and math.isclose(float(answer), expected, abs_tol=tol)
    elif hasattr(expected, "shape") and hasattr(answer, "shape"):  # tensors
        ok = tuple(answer.shape) == tuple(expected.shape) and bool((answer == expected).all())
    else:
        ok = answer == expected
    if not ok:
        raise AssertionError(f"Not quite: got {answer!r}. {hint}".strip())
    return "Correct!"
