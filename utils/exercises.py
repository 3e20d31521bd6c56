"""Self-checks for the exercises at the end of each lesson.

An exercise cell sets an answer; the check cell below it runs `check("01.2", answer_2)`. The expected answers
live in `utils/answer_keys/`, one module per lesson, so they are not in sight while you work (reading those
files spoils the exercises). A check either returns "Correct!" or raises an AssertionError that says what is
wrong, never the expected value:

- `NotAnswered`: the answer is still `None` (or `...`), or the function still raises NotImplementedError;
- `WrongAnswer`: the answer is there but does not match; the message says how (a type, a shape, the largest
  difference, the input where a function went wrong) and adds a hint.

Answers are compared by value, whatever their form: a Python number, a 0-d tensor and a numpy scalar are the
same number; a list, a tuple, a `torch.Size`, a tensor and a numpy array of the same values are the same
sequence; float values are compared with a tolerance (relative, so small values are not waved through); a
bool is not a number and a number is not a bool; strings ignore case and surrounding spaces.
"""

from __future__ import annotations

import copy
import importlib
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

import torch


NO_ANSWER = ("no answer yet: write it in the cell above (in place of `raise NotImplementedError()`), run that cell, "
             "then this one")


class NotAnswered(AssertionError):
    """The exercise has no answer yet."""


class WrongAnswer(AssertionError):
    """The answer does not match the key."""


class _Mismatch(Exception):
    """Raised inside a comparison; becomes a WrongAnswer with the hint added."""


# --- the forms an answer can take -----------------------------------------------------------------------------

def _is_unanswered(value: Any) -> bool:
    return value is None or value is Ellipsis


def _plain(value: Any) -> Any:
    """A 0-d tensor or numpy scalar as a Python number or bool; a torch.Size as a tuple; anything else as is."""
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, torch.Tensor) and value.ndim == 0:
        return value.item()
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        return value.item()
    return value


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_array(value: Any) -> bool:
    """A tensor, a numpy array, or a list/tuple: something compared element by element."""
    return isinstance(value, (list, tuple, torch.Tensor)) or type(value).__module__ == "numpy"


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    if type(value).__module__ == "numpy" and hasattr(value, "shape"):
        return f"a numpy array of shape {tuple(value.shape)}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    if callable(value):
        return f"the function {getattr(value, '__name__', repr(value))}"
    return f"{value!r} ({type(value).__name__})"


def _as_float_tensor(value: Any) -> torch.Tensor:
    try:
        if type(value).__module__ == "numpy":
            value = value.tolist()
        if isinstance(value, torch.Tensor):
            return value.detach().to(torch.float64)
        if isinstance(value, (list, tuple)):
            value = [_plain(v) if not _is_array(v) else _as_float_tensor(v).tolist() for v in value]
        return torch.as_tensor(value, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as err:
        raise _Mismatch(f"expected numbers, got {_describe(value)} that is not a grid of numbers ({err})") from None


def _all_numeric(value: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return value.dtype != torch.bool
    if type(value).__module__ == "numpy":
        return getattr(value, "dtype", None) is not None and value.dtype.kind in "iuf"
    if isinstance(value, (list, tuple)):
        return all(_all_numeric(v) if _is_array(v) else _is_number(_plain(v)) for v in value)
    return _is_number(_plain(value))


def compare(answer: Any, expected: Any, *, rel: float = 1e-6, abs: float = 1e-9) -> None:
    """Raise _Mismatch unless `answer` equals `expected` by value (floats within rel/abs tolerance)."""
    __tracebackhide__ = True  # IPython shows the student's line and the message, not this code
    answer = _plain(answer)
    expected = _plain(expected)
    if _is_unanswered(answer):
        raise NotAnswered(NO_ANSWER)
    if _is_bool(expected):
        if not _is_bool(answer):
            raise _Mismatch(f"expected True or False, got {_describe(answer)}")
        if answer != expected:
            raise _Mismatch(f"{answer} is not right")
    elif _is_number(expected):
        if _is_bool(answer):
            raise _Mismatch(f"expected a number, got the bool {answer}")
        if not _is_number(answer):
            raise _Mismatch(f"expected a number, got {_describe(answer)}")
        if not math.isclose(float(answer), float(expected), rel_tol=rel, abs_tol=abs):
            raise _Mismatch(f"{answer!r} is not right")
    elif isinstance(expected, str):
        if not isinstance(answer, str):
            raise _Mismatch(f"expected a string, got {_describe(answer)}")
        if answer.strip().casefold() != expected.strip().casefold():
            raise _Mismatch(f"{answer!r} is not right")
    elif isinstance(expected, (set, frozenset)):  # order and repeats do not matter
        if not (_is_array(answer) or isinstance(answer, (set, frozenset))):
            raise _Mismatch(f"expected a collection of {len(expected)} items, got {_describe(answer)}")
        items = answer.tolist() if hasattr(answer, "tolist") else list(answer)
        got = {_plain(v) for v in items}
        if got != set(expected):
            missing, extra = len(set(expected) - got), len(got - set(expected))
            raise _Mismatch(f"{missing} item(s) missing and {extra} that should not be there")
    elif isinstance(expected, dict):
        if not isinstance(answer, dict):
            raise _Mismatch(f"expected a dict, got {_describe(answer)}")
        missing = [k for k in expected if k not in answer]
        extra = [k for k in answer if k not in expected]
        if missing or extra:
            parts = ([f"{len(missing)} key(s) missing, such as {missing[0]!r}"] if missing else []) + \
                    ([f"{len(extra)} key(s) that should not be there, such as {extra[0]!r}"] if extra else [])
            raise _Mismatch("; ".join(parts))
        for key in expected:
            try:
                compare(answer[key], expected[key], rel=rel, abs=abs)
            except _Mismatch as err:
                raise _Mismatch(f"at key {key!r}: {err}") from None
    elif _is_array(expected):
        _compare_arrays(answer, expected, rel, abs)
    else:
        if answer != expected:
            raise _Mismatch(f"{_describe(answer)} is not right")


def _compare_arrays(answer: Any, expected: Any, rel: float, abs: float) -> None:
    if not _is_array(answer):
        raise _Mismatch(f"expected a sequence of {len(expected)} items, got {_describe(answer)}")
    if _all_numeric(expected):
        if not _all_numeric(answer):
            raise _Mismatch(f"expected numbers, got {_describe(answer)} with other things in it")
        a, e = _as_float_tensor(answer), _as_float_tensor(expected)
        if a.shape != e.shape:
            raise _Mismatch(f"expected shape {tuple(e.shape)}, got shape {tuple(a.shape)}")
        if not torch.allclose(a, e, rtol=rel, atol=abs, equal_nan=False):
            if a.numel() == 1:
                raise _Mismatch(f"{a.item()!r} is not right")
            bad = ~torch.isclose(a, e, rtol=rel, atol=abs)
            # a nan or an infinity is as far off as it gets; values that agree (inf and inf too) count as 0
            diff = torch.where(bad, (a - e).abs().nan_to_num(nan=math.inf, posinf=math.inf), 0.0)
            where = tuple(int(i) for i in torch.unravel_index(diff.argmax(), diff.shape))
            value = a[where].item()
            # one significant digit: enough to tell a slip from a different computation, too little to give the
            # expected value away
            worst = ("nan" if math.isnan(value) else f"{value} where a finite number belongs" if math.isinf(value)
                     else "infinite" if math.isinf(diff.max().item()) else f"about {diff.max().item():.0e}")
            raise _Mismatch(f"{int(bad.sum())} of {e.numel()} values differ; the largest difference is {worst}, "
                            f"at position {where}")
        return
    answer_items, expected_items = list(answer), list(expected)
    if len(answer_items) != len(expected_items):
        raise _Mismatch(f"expected {len(expected_items)} items, got {len(answer_items)}")
    for i, (a, e) in enumerate(zip(answer_items, expected_items)):
        try:
            compare(a, e, rel=rel, abs=abs)
        except _Mismatch as err:
            raise _Mismatch(f"item {i}: {err}") from None


# --- answer keys -----------------------------------------------------------------------------------------------

@dataclass
class Key:
    """The expected answer of one exercise.

    `expected` is a value, or a function of the check's keyword arguments returning it (for answers that
    depend on a model trained in the notebook). `accept` lists other accepted values (synonyms). `rel`/`abs`:
    float tolerance. `cases`: when the answer is a function, the argument tuples it is called with; each
    result is compared with `expected` called the same way. `verify(answer, **context)`: a custom test that
    raises _Mismatch (via `fail`). `hint`: shown with a wrong answer.
    """

    expected: Any = None
    hint: str = ""
    accept: tuple = ()
    rel: float = 1e-6
    abs: float = 1e-9
    cases: list[tuple] | None = None
    verify: Callable[..., None] | None = None
    needs: tuple[str, ...] = field(default=())  # keyword arguments the check must be given


def fail(message: str) -> None:
    """Inside a Key's verify function: reject the answer with this message."""
    raise _Mismatch(message)


def plain(value: Any) -> Any:
    """For keys: a 0-d tensor or numpy scalar as a Python number or bool; anything else as it is."""
    return _plain(value)


def matches(answer: Any, expected: Any, *, rel: float = 1e-6, abs: float = 1e-9) -> bool:
    """For keys: True when `answer` equals `expected` by value, as `check` compares them."""
    try:
        compare(answer, expected, rel=rel, abs=abs)
    except _Mismatch:
        return False
    return True


def numbers_of(answer: Any, count: int, what: str) -> list[float]:
    """For keys: `count` numbers given as a list, tuple, tensor or array, as Python floats; otherwise fail,
    saying that `what` was expected. (Keys then compare item by item, so that no message about the whole
    sequence, such as its largest difference, gives an expected value away.)"""
    if isinstance(answer, dict) or not _is_array(answer) or not _all_numeric(answer):
        fail(f"expected {what}, got {_describe(answer)}")
    got = _as_float_tensor(answer).reshape(-1).tolist()
    if len(got) != count:
        fail(f"expected {what}, got {len(got)} numbers")
    return got


def _call(function: Callable, args: tuple) -> Any:
    __tracebackhide__ = True  # IPython shows the student's line and the message, not this code
    try:
        return function(*args)
    except NotImplementedError:
        raise NotAnswered(f"{function.__name__} is not written yet (it raises NotImplementedError)") from None
    except Exception as err:  # the student's code failed on this input: say which input and how
        shown = ", ".join(_short(a) for a in args)
        raise _Mismatch(f"{function.__name__}({shown}) raised {type(err).__name__}: {err}") from None


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, torch.Tensor) else f"tensor of shape {tuple(value.shape)}"
    return text if len(text) <= 40 else text[:37] + "..."


def _check_against(key: Key, answer: Any, context: dict[str, Any]) -> None:
    __tracebackhide__ = True  # IPython shows the student's line and the message, not this code
    if key.verify is not None:
        if _is_unanswered(_plain(answer)):
            raise NotAnswered(NO_ANSWER)
        try:
            key.verify(answer, **context)
        except NotImplementedError:  # the answer is a function whose body is still the stub
            raise NotAnswered(f"{getattr(answer, '__name__', 'the answer')} is not written yet (it raises "
                              "NotImplementedError)") from None
        return
    if key.cases is not None:
        if _is_unanswered(answer):
            raise NotAnswered(NO_ANSWER)
        if not callable(answer):
            raise _Mismatch(f"expected a function, got {_describe(answer)}")
        for args in key.cases:
            # each side gets its own copy of the inputs: a function that changes its input in place must not
            # change the reference's input, nor the cases of the next check
            expected = key.expected(*copy.deepcopy(args))
            got = _call(answer, copy.deepcopy(args))
            if _is_unanswered(got):
                raise NotAnswered(f"{answer.__name__} returns None: it is not written yet")
            try:
                compare(got, expected, rel=key.rel, abs=key.abs)
            except _Mismatch as err:
                shown = ", ".join(_short(a) for a in args)
                raise _Mismatch(f"{answer.__name__}({shown}): {err}") from None
        return
    if _is_unanswered(_plain(answer)):  # before computing the expected value, which may take a while
        raise NotAnswered(NO_ANSWER)
    expected = key.expected(**context) if callable(key.expected) else key.expected
    errors = []
    for option in (expected, *key.accept):
        try:
            compare(answer, option, rel=key.rel, abs=key.abs)
            return
        except _Mismatch as err:
            errors.append(err)
    raise errors[0]


def answer_key(exercise: str) -> Key:
    """Return the Key of an exercise id such as "01.2" (lesson 01, exercise 2)."""
    lesson = exercise.split(".")[0]
    try:
        module = importlib.import_module(f"utils.answer_keys.lesson{lesson}")
        return module.KEYS[exercise]
    except (ModuleNotFoundError, KeyError):
        raise KeyError(f"no exercise {exercise!r}: ids look like '01.2' (lesson 01, exercise 2)") from None


def check(exercise: str, answer: Any, **context: Any) -> str:
    """Check an exercise answer against its key: return "Correct!" or raise NotAnswered / WrongAnswer.

    `exercise` is the exercise id, e.g. "01.2". Some keys depend on the notebook's own objects (a trained model,
    its vocabulary); the check cell passes those as keyword arguments.
    """
    __tracebackhide__ = True  # IPython shows the student's line and the message, not this code
    key = answer_key(exercise)
    missing = [name for name in key.needs if name not in context]
    if missing:
        raise TypeError(f"check({exercise!r}, ...) needs the keyword argument(s) {', '.join(missing)}")
    try:
        _check_against(key, answer, context)
    except _Mismatch as err:
        hint = f" Hint: {key.hint}" if key.hint else ""
        raise WrongAnswer(f"Not quite: {str(err).rstrip('.')}.{hint}") from None
    return "Correct!"
