"""Lesson 09's exercise checks: plausible wrong answers fail, right answers in other forms pass."""

import math

import numpy as np
import pytest
import torch

from utils import check, warmup_cosine
from utils.exercises import NotAnswered, WrongAnswer


# --- 09.1 subtraction for Value ---------------------------------------------------------------------------------

def make_value_class():
    """A fresh copy of the exercise's cut-down Value (each test adds its own __sub__)."""

    class Value:
        def __init__(self, data, children=()):
            self.data, self.grad, self._children, self._backward = data, 0.0, children, lambda: None

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data + other.data, (self, other))

            def backward():
                self.grad += out.grad
                other.grad += out.grad
            out._backward = backward
            return out

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            out = Value(self.data * other.data, (self, other))

            def backward():
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad
            out._backward = backward
            return out

        __radd__, __rmul__ = __add__, __mul__

        def __neg__(self):
            return self * -1

        def backward(self):
            order, seen = [], set()

            def visit(v):
                if id(v) not in seen:
                    seen.add(id(v))
                    for child in v._children:
                        visit(child)
                    order.append(v)
            visit(self)
            self.grad = 1.0
            for v in reversed(order):
                v._backward()

    return Value


def with_sub(sub, rsub=None):
    Value = make_value_class()
    Value.__sub__ = lambda self, other: sub(Value, self, other)
    if rsub is not None:
        Value.__rsub__ = lambda self, other: rsub(Value, self, other)
    return Value


def test_subtraction_built_from_add_and_neg_passes():
    Value = with_sub(lambda V, a, b: a + (-(b if isinstance(b, V) else V(b))), lambda V, a, b: V(b) + (-a))
    assert check("09.1", Value) == "Correct!"


def test_subtraction_with_its_own_backward_passes():
    def sub(V, a, b):
        b = b if isinstance(b, V) else V(b)
        out = V(a.data - b.data, (a, b))

        def backward():
            a.grad += out.grad
            b.grad -= out.grad
        out._backward = backward
        return out
    Value = with_sub(sub, lambda V, a, b: sub(V, V(b), a))
    assert check("09.1", Value) == "Correct!"


@pytest.mark.parametrize("sub, rsub", [
    (lambda V, a, b: -b if isinstance(b, V) else V(-b), lambda V, a, b: V(b) + (-a)),  # the old bug: only -other
    (lambda V, a, b: V(a.data - (b.data if isinstance(b, V) else b)), lambda V, a, b: V(b - a.data)),  # no graph
    (lambda V, a, b: a + (-(b if isinstance(b, V) else V(b))), None),  # no __rsub__: 2 - a fails
    (lambda V, a, b: a + (-(b if isinstance(b, V) else V(b))), lambda V, a, b: a + (-V(b))),  # __rsub__ backwards
    (lambda V, a, b: a + (b if isinstance(b, V) else V(b)) * -1 * -1, lambda V, a, b: V(b) + (-a)),  # adds
    (lambda V, a, b: (a.data - b.data) if isinstance(b, V) else a.data - b, lambda V, a, b: b - a.data),  # floats
])
def test_wrong_subtractions_fail(sub, rsub):
    with pytest.raises(WrongAnswer):
        check("09.1", with_sub(sub, rsub))


def test_subtraction_that_overwrites_gradients_fails_on_a_minus_a():
    def sub(V, a, b):
        b = b if isinstance(b, V) else V(b)
        out = V(a.data - b.data, (a, b))

        def backward():
            a.grad = out.grad  # = instead of +=: a - a ends with a.grad = -1
            b.grad = -out.grad
        out._backward = backward
        return out
    with pytest.raises(WrongAnswer, match="a - a"):
        check("09.1", with_sub(sub, lambda V, a, b: sub(V, V(b), a)))


def test_subtraction_unanswered_or_not_a_class():
    def stub(V, a, b):
        raise NotImplementedError()
    with pytest.raises(NotAnswered):
        check("09.1", with_sub(stub, stub))
    with pytest.raises(NotAnswered):
        check("09.1", None)
    with pytest.raises(WrongAnswer, match="class"):
        check("09.1", -1.0)  # the old exercise's answer, b.grad
    with pytest.raises(WrongAnswer, match="TypeError"):
        check("09.1", make_value_class())  # the answer cell was not run: no __sub__ at all


# --- 09.2 lr_at -------------------------------------------------------------------------------------------------

PEAK, TOTAL, WARMUP = 4e-3, 6000, 375


def lr_torch(step):
    """A right answer computed with torch, returned as a 0-d tensor."""
    step = torch.tensor(float(step), dtype=torch.float64)
    warm = PEAK * (step + 1) / WARMUP
    p = ((step - WARMUP) / (TOTAL - 1 - WARMUP)).clamp(0, 1)
    cosine = PEAK * (0.05 + 0.95 * 0.5 * (1 + torch.cos(math.pi * p)))
    return torch.where(step < WARMUP, warm, cosine)


def lr_numpy(step):
    return np.float64(warmup_cosine(PEAK, TOTAL, warmup_steps=WARMUP)(step))


def test_lr_at_right_answers_pass():
    for answer in (lr_torch, lr_numpy):
        assert check("09.2", answer) == "Correct!"


def _cosine(step, denominator=TOTAL - 1 - WARMUP, final=0.05):
    p = (step - WARMUP) / denominator
    return PEAK * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * p)))


@pytest.mark.parametrize("wrong", [
    lambda s: PEAK * s / WARMUP if s < WARMUP else _cosine(s),  # warm-up starts at 0
    lambda s: PEAK * (s + 1) / WARMUP if s < WARMUP else _cosine(s, denominator=TOTAL - WARMUP),  # off by one
    lambda s: PEAK * (s + 1) / WARMUP if s < WARMUP else _cosine(s, final=0.0),  # decays to 0
    lambda s: PEAK * (s + 1) / WARMUP if s <= WARMUP else _cosine(s),  # the warm-up one step too long
    lambda s: _cosine(max(s, WARMUP)) if s >= WARMUP else PEAK,  # no warm-up
    lambda s: PEAK * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * s / (TOTAL - 1)))),  # cosine from step 0
    lambda s: PEAK,  # hard-coded
])
def test_lr_at_wrong_answers_fail(wrong):
    with pytest.raises(WrongAnswer):
        check("09.2", wrong)


def test_lr_at_unanswered():
    def lr_at(step):
        raise NotImplementedError()
    with pytest.raises(NotAnswered):
        check("09.2", lr_at)
    with pytest.raises(NotAnswered):
        check("09.2", None)


# --- 09.3 the gains of the direct connection --------------------------------------------------------------------

GAINS = [0.11107808703667832, 0.0628645975900155, 0.013760621412733265, -0.0010563023190557352]


def test_gains_in_any_form():
    for form in (GAINS, tuple(GAINS), torch.tensor(GAINS), np.array(GAINS), [round(g, 4) for g in GAINS]):
        assert check("09.3", form) == "Correct!"


def test_wrong_gains_fail():
    train_split_gains = [0.11185501998059166, 0.062204994330546715, 0.014288151322305431, 0.00019585697575230654]
    for wrong in ([-g for g in GAINS],  # direct minus plain
                  train_split_gains,  # measured on the training split
                  [round(g, 2) for g in GAINS],
                  GAINS[:3],
                  GAINS[::-1],
                  GAINS[:3] + [0.0010563023190557352],  # the sign of the last one
                  {4: GAINS[0], 16: GAINS[1], 64: GAINS[2], 200: GAINS[3]},
                  0.11):
        with pytest.raises(WrongAnswer):
            check("09.3", wrong)
    with pytest.raises(NotAnswered):
        check("09.3", None)


def test_gains_message_names_the_wrong_gain_without_giving_it_away():
    with pytest.raises(WrongAnswer) as info:
        check("09.3", GAINS[:2] + [0.5, GAINS[3]])
    message = str(info.value).split("Hint")[0]
    assert "hidden size 64" in message and "difference" not in message and "0.0138" not in message
