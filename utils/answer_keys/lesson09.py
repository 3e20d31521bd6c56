"""Answer keys of lesson 09 (beyond the lecture). Reading them spoils the exercises."""

import math

from utils.exercises import Key, NotAnswered, fail, numbers_of
from utils.learning_rate import warmup_cosine


# --- exercise 1: subtraction for Value -------------------------------------------------------------------------

def _close(x, y):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)


def _verify_sub(answer):
    """Build Values of the answer's class, subtract them in several ways, and check the values and the gradients."""
    if not isinstance(answer, type):
        fail(f"expected the class Value itself (answer_1 = Value), got {answer!r}")
    Value = answer
    cases = [  # (what, build the inputs, the expression, expected value, expected gradient of each input)
        ("a - b", lambda: (Value(3.0), Value(5.0)), lambda a, b: a - b, -2.0, (1.0, -1.0)),
        ("a - 2", lambda: (Value(3.0),), lambda a: a - 2, 1.0, (1.0,)),
        ("2 - a", lambda: (Value(3.0),), lambda a: 2 - a, -1.0, (-1.0,)),
        ("a - a", lambda: (Value(3.0),), lambda a: a - a, 0.0, (0.0,)),
        ("a * b - b", lambda: (Value(3.0), Value(5.0)), lambda a, b: a * b - b, 10.0, (5.0, 2.0)),
    ]
    for what, make, expression, value, grads in cases:
        inputs = make()
        names = "a, b"[:3 * len(inputs) - 2]
        shown = f"with {names} = {', '.join(f'Value({v.data})' for v in inputs)}, {what}"
        try:
            out = expression(*inputs)
        except NotImplementedError:
            raise NotAnswered("the subtraction is not written yet (it raises NotImplementedError)") from None
        except Exception as err:  # e.g. TypeError: unsupported operand (no __sub__ or __rsub__ yet)
            fail(f"{shown} raised {type(err).__name__}: {err}")
        if not isinstance(out, Value):
            fail(f"{shown} gives {out!r}, not a Value: backward() cannot reach the inputs through it")
        try:
            out.backward()
        except Exception as err:
            fail(f"{shown}, then .backward(), raised {type(err).__name__}: {err}")
        if not _close(out.data, value):
            fail(f"{shown} gives a Value whose data is {out.data!r}: not right")
        for name, v, grad in zip("ab", inputs, grads):
            if not _close(v.grad, grad):
                fail(f"{shown}, then .backward(), leaves {name}.grad = {v.grad!r}: not right")


# --- exercise 2: the warm-up + cosine schedule by hand -----------------------------------------------------------

_LR_AT = warmup_cosine(4e-3, 6000, warmup_steps=375)  # the final recipe's schedule, the reference


# --- exercise 3: the direct connection against the width of the hidden layer ------------------------------------
# dev loss of plain minus dev loss of direct, hidden sizes 4, 16, 64, 200; block 3, embedding 10, init "scaled",
# output_scale 0.01, default seeds, 1,000 steps of sgd_schedule(1000), batch 32 (measured in float64)
DIRECT_GAINS = [0.11107808703667832, 0.0628645975900155, 0.013760621412733265, -0.0010563023190557352]
HIDDEN_SIZES = [4, 16, 64, 200]


def _verify_gains(answer):
    """Compare the four gains one by one, within 1e-3 relative or 5e-5 absolute (the printed 4 decimals pass): a
    message about the list as a whole (its largest difference) would give the expected value away."""
    got = numbers_of(answer, len(DIRECT_GAINS), f"{len(DIRECT_GAINS)} gains (hidden sizes 4, 16, 64, 200)")
    for value, expected, hidden in zip(got, DIRECT_GAINS, HIDDEN_SIZES):
        if not math.isclose(value, expected, rel_tol=1e-3, abs_tol=5e-5):
            fail(f"the gain at hidden size {hidden}, {value:.4g}, is not right")


KEYS = {
    "09.1": Key(verify=_verify_sub,
                hint="Subtraction can be built from operations Value already has, so their backward steps do the "
                     "work; a plain number has to become a Value first; for 2 - a, Python calls a.__rsub__(2)."),
    "09.2": Key(_LR_AT, cases=[(0,), (1,), (374,), (375,), (376,), (3000,), (5998,), (5999,)],
                hint="In the warm-up the rate grows by the same amount each step, from peak/375 at step 0 to the "
                     "peak at step 374. After it, measure the progress as a fraction going from 0 at step 375 to 1 "
                     "at step 5999; a half cosine of it goes from 1 to 0, and scales the part of the peak above "
                     "its final 5%."),
    "09.3": Key(verify=_verify_gains,
                hint="Train every model from scratch with the same steps and schedule as the exercise says, measure "
                     "on the dev split, and give plain minus direct (positive: the direct connection helps), in "
                     "the order 4, 16, 64, 200."),
}
