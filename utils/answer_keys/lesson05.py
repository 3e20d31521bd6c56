"""Answer keys of lesson 05 (finding a learning rate). Reading them spoils the exercises."""

from __future__ import annotations

import math
import numbers

import torch

from utils.exercises import Key, NotAnswered, fail, plain
from utils.learning_rate import suggest_rate
from utils.model import LECTURE_SEED, MLP, ModelConfig
from utils.training import TrainingDiverged, evaluate, train


# --- 05.1: a linear warm-up, then a constant rate (the warm-up of utils.warmup_cosine) --------------------------

def _warm(step, peak, warmup_steps):
    if step >= warmup_steps:
        return peak
    return peak * (step + 1) / warmup_steps


_WARM_CASES = [(0, 0.1, 100), (49, 0.1, 100), (99, 0.1, 100), (100, 0.1, 100), (5000, 0.1, 100),
               (0, 1.0, 1), (1, 1.0, 1), (2, 0.3, 4), (0, 0.5, 0), (7, 2.0, 0)]


# --- 05.2: find_lr's suggestion from a sweep's losses ----------------------------------------------------------

def _suggest_cases():
    noisy = [5.0, 1.0, 5.5, 4.0, 3.0, 2.5, 3.5, 8.0]  # one lucky batch at index 1; the valley around index 5
    rates = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    g = torch.Generator().manual_seed(5)
    n = 300
    exponents = [-3 + 3 * i / (n - 1) for i in range(n)]
    sweep = [2.0 + (e + 1) ** 2 + 0.5 * torch.rand(1, generator=g, dtype=torch.float64).item() for e in exponents]
    return [
        (noisy, rates[:8], 1),  # no smoothing: the single lowest loss
        (noisy, rates[:8], 3),  # an odd window
        (noisy, rates[:8], 4),  # an even window: its centre is window // 2 after its start
        (noisy, rates[:8], 8),  # one window only
        (noisy[:6], rates, 2),  # a sweep that stopped early: fewer losses than rates
        ([3.0, 1.0, 1.0, 3.0], rates[:4], 1),  # two equal lowest losses: the first one counts
        (sweep, [10 ** e for e in exponents], 30),  # a noisy valley, as find_lr sees it
    ]


# --- 05.3: a schedule that beats a target in a short run --------------------------------------------------------

STEPS = 2000  # the budget of the run the check makes
TARGET = 2.70  # the loss on all names it must end below
SEED = LECTURE_SEED  # train's default seed: the batches the learner's own run sees


def _verify_schedule(answer, X, Y):
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        schedule = float(answer)  # a constant rate is a schedule too (it will not reach the target)
    elif callable(answer):
        def schedule(step):
            rate = answer(step)
            if rate is None:
                raise NotAnswered(f"{getattr(answer, '__name__', 'the schedule')} returns None: it is not written yet")
            return plain(rate)  # a 0-d tensor or numpy scalar as a Python number
    else:
        fail(f"expected a function of the step, got {type(answer).__name__}")
    model = MLP(ModelConfig(block_size=3, embedding_dim=10, hidden_size=200))
    try:
        train(model, X, Y, steps=STEPS, lr=schedule, seed=SEED, progress=False)
    except NotAnswered:
        raise
    except NotImplementedError:
        raise NotAnswered("the schedule is not written yet (it raises NotImplementedError)") from None
    except TrainingDiverged as err:
        fail(f"training with this schedule stopped. {str(err).rstrip('.')}")
    except Exception as err:
        fail(f"training with this schedule failed: {type(err).__name__}: {err}")
    loss = evaluate(model, X, Y)
    if not (math.isfinite(loss) and loss < TARGET):
        fail(f"after {STEPS:,} steps with this schedule the loss on all names is {loss:.4f}, not below the target")


KEYS = {
    "05.1": Key(_warm, cases=_WARM_CASES,
                hint="Steps 0 to warmup_steps - 1 climb by peak / warmup_steps each, starting from peak / warmup_steps "
                     "(not from 0) and reaching peak at step warmup_steps - 1; every later step, and every step when "
                     "warmup_steps is 0, is at peak."),
    "05.2": Key(suggest_rate, cases=_suggest_cases(),
                hint="Average every run of `window` consecutive losses (the windows that fit in `losses`), take the "
                     "first window with the lowest average, and return the rate at its centre: window // 2 after "
                     "the window's first step."),
    "05.3": Key(verify=_verify_schedule, needs=("X", "Y"),
                hint="A constant rate leaves the model bouncing around; lower the rate for the last part of the run, and "
                     "try peak rates from the whole valley of the sweep, not only its suggestion."),
}
