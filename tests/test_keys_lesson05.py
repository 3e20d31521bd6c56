"""The answer keys of lesson 05: right answers in any form pass, plausible wrong ones and shortcuts fail, and an
unanswered exercise says so. The schedule check trains; here it is cut to a few steps on a tiny dataset."""

import numpy as np
import pytest
import torch

import utils.answer_keys.lesson05 as keys05
from utils import MLP, ModelConfig, check, evaluate
from utils.exercises import NotAnswered, WrongAnswer


# --- 05.1: a warm-up -------------------------------------------------------------------------------------------

def test_warm_right_in_other_forms():
    def warm(step, peak, warmup_steps):
        return peak if step >= warmup_steps else peak * (step + 1) / warmup_steps

    def warm_tensor(step, peak, warmup_steps):  # a 0-d tensor, written with min
        return torch.tensor(peak) * min(1.0, (step + 1) / max(warmup_steps, 1))

    def warm_numpy(step, peak, warmup_steps):
        return np.float64(peak * np.clip((step + 1) / warmup_steps, 0, 1)) if warmup_steps else np.float64(peak)

    for right in (warm, warm_tensor, warm_numpy):
        assert check("05.1", right) == "Correct!"


def test_warm_slips_and_shortcuts_fail():
    def from_zero(step, peak, warmup_steps):  # the climb starts at 0: step 0 is wasted
        return peak * min(1.0, step / warmup_steps) if warmup_steps else peak

    def divides_by_zero(step, peak, warmup_steps):
        return peak * min(1.0, (step + 1) / warmup_steps)

    def late_by_one(step, peak, warmup_steps):  # reaches peak one step late
        return peak if step > warmup_steps else peak * (step + 1) / (warmup_steps + 1)

    with pytest.raises(WrongAnswer, match=r"from_zero\(0, 0.1, 100\)"):
        check("05.1", from_zero)
    with pytest.raises(WrongAnswer, match="ZeroDivisionError"):
        check("05.1", divides_by_zero)
    with pytest.raises(WrongAnswer):
        check("05.1", late_by_one)
    with pytest.raises(WrongAnswer):
        check("05.1", lambda step, peak, warmup_steps: 0.05)  # the old single-value check's answer
    with pytest.raises(WrongAnswer):
        check("05.1", lambda step, peak=0.1, warmup_steps=100: 0.1 * min(1, step / 100))  # ignores its arguments
    with pytest.raises(WrongAnswer, match="function"):
        check("05.1", 0.05)


def test_warm_unanswered():
    def stub(step, peak, warmup_steps):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        check("05.1", stub)
    with pytest.raises(NotAnswered):
        check("05.1", None)


# --- 05.2: find_lr's suggestion ----------------------------------------------------------------------------------

def test_suggest_right_in_other_forms():
    def with_torch(losses, lrs, window):
        kernel = torch.ones(1, 1, window, dtype=torch.float64) / window
        smoothed = torch.conv1d(torch.tensor(losses, dtype=torch.float64).view(1, 1, -1), kernel).view(-1)
        return torch.tensor(lrs)[int(smoothed.argmin()) + window // 2]  # a 0-d tensor

    def with_numpy(losses, lrs, window):
        smoothed = np.convolve(losses, np.ones(window) / window, mode="valid")
        return np.asarray(lrs)[int(np.argmin(smoothed)) + window // 2]  # a numpy scalar

    def with_cumsum(losses, lrs, window):
        sums = np.cumsum([0.0, *losses])
        averages = (sums[window:] - sums[:-window]) / window
        return float(lrs[int(np.argmin(averages)) + window // 2])

    for right in (with_torch, with_numpy, with_cumsum):
        assert check("05.2", right) == "Correct!"


def test_suggest_slips_fail():
    def averages(losses, window, n=None):
        n = len(losses) if n is None else n
        return [sum(losses[i:i + window]) / window for i in range(n - window + 1)]

    def no_centre(losses, lrs, window):
        a = averages(losses, window)
        return lrs[a.index(min(a))]

    def centre_rounded_down(losses, lrs, window):
        a = averages(losses, window)
        return lrs[a.index(min(a)) + (window - 1) // 2]

    def windows_over_lrs(losses, lrs, window):  # slides past the end of a sweep that stopped early
        a = averages(losses, window, len(lrs))
        return lrs[a.index(min(a)) + window // 2]

    def no_smoothing(losses, lrs, window):
        return lrs[losses.index(min(losses))]

    for wrong in (no_centre, centre_rounded_down, windows_over_lrs, no_smoothing,
                  lambda losses, lrs, window: 0.1):
        with pytest.raises(WrongAnswer):
            check("05.2", wrong)


def test_suggest_taking_the_last_of_equal_lowest_averages_fails_on_the_tie():
    def last_of_ties(losses, lrs, window):  # right everywhere else
        a = [sum(losses[i:i + window]) / window for i in range(len(losses) - window + 1)]
        return lrs[len(a) - 1 - a[::-1].index(min(a)) + window // 2]

    with pytest.raises(WrongAnswer, match=r"last_of_ties\(\[3.0, 1.0, 1.0, 3.0\]"):
        check("05.2", last_of_ties)


def test_suggest_unanswered():
    def stub(losses, lrs, window):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        check("05.2", stub)
    with pytest.raises(NotAnswered):
        check("05.2", None)


# --- 05.3: a schedule that beats the target -----------------------------------------------------------------------

@pytest.fixture
def short_run(monkeypatch, data):
    """The check's run cut to 30 steps on the 20 test names, with a target halfway between the loss of the
    untrained lecture model and what 30 steps at 0.2 reach (the check's own scale would take seconds)."""
    _, X, Y = data
    monkeypatch.setattr(keys05, "STEPS", 30)
    untrained = evaluate(MLP(ModelConfig()), X, Y)
    monkeypatch.setattr(keys05, "TARGET", untrained - 3.0)
    return X, Y


def test_a_good_schedule_passes_whatever_number_type_it_returns(short_run):
    X, Y = short_run
    assert check("05.3", lambda step: 0.2 if step < 20 else 0.02, X=X, Y=Y) == "Correct!"
    assert check("05.3", lambda step: torch.tensor(0.2), X=X, Y=Y) == "Correct!"
    assert check("05.3", lambda step: np.float64(0.2), X=X, Y=Y) == "Correct!"
    assert check("05.3", 0.2, X=X, Y=Y) == "Correct!"  # a constant rate is a schedule too


def test_a_timid_or_broken_schedule_fails(short_run):
    X, Y = short_run
    with pytest.raises(WrongAnswer, match="not below the target"):
        check("05.3", lambda step: 0.0, X=X, Y=Y)
    with pytest.raises(WrongAnswer, match="diverged"):
        check("05.3", lambda step: 100.0, X=X, Y=Y)
    with pytest.raises(WrongAnswer, match="finite number"):
        check("05.3", lambda step: -0.1, X=X, Y=Y)
    with pytest.raises(WrongAnswer, match="ZeroDivisionError"):
        check("05.3", lambda step: 0.1 / (10 - step), X=X, Y=Y)
    with pytest.raises(WrongAnswer, match="function"):
        check("05.3", "0.2 then 0.02", X=X, Y=Y)


def test_schedule_unanswered(short_run):
    X, Y = short_run

    def stub(step):
        raise NotImplementedError()

    for unanswered in (stub, lambda step: None, None):
        with pytest.raises(NotAnswered):
            check("05.3", unanswered, X=X, Y=Y)
    with pytest.raises(TypeError, match="X, Y"):
        check("05.3", stub)
