"""Choosing the learning rate: the sweep of lesson 05 (`find_lr`) and the warm-up + cosine schedule of lesson 09."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from .model import LECTURE_SEED, MLP
from .training import TrainingDiverged, train


@dataclass
class LRSweep:
    """The result of a learning-rate sweep (lesson 05): one minibatch step per rate, rates growing exponentially."""

    exponents: list[float]  # log10 of each learning rate
    lrs: list[float]
    losses: list[float]  # the minibatch loss at each step (shorter than lrs if the sweep stopped early)
    smoothed: list[float]  # a moving average of the losses
    suggested: float  # the learning rate where the smoothed loss bottoms out
    stopped_early: bool  # True when the loss exploded before the last rate


def find_lr(model: MLP, X: torch.Tensor, Y: torch.Tensor, *, low: float = -3.0, high: float = 0.0,
            steps: int = 1000, batch_size: int = 32, seed: int = LECTURE_SEED, window: int = 50,
            progress: bool = False) -> LRSweep:
    """Sweep the learning rate from 10**low to 10**high, one minibatch step each, and suggest a rate. Lesson 05.

    The suggestion is the rate where the moving average of the loss is lowest: below it the steps are
    too small to make fast progress, above it they start to overshoot. The sweep trains `model` in place,
    so use a fresh model afterwards. It stops early when the loss grows past 4 times its first value.
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ValueError(f"window (the moving average's width, in steps) must be a whole number of at least 1, "
                         f"got {window!r}.")
    if not low < high or steps < 2 * window:
        raise ValueError(f"Need low < high and steps >= 2 * window; got {low}, {high}, {steps}, {window}.")
    exponents = torch.linspace(low, high, steps).tolist()
    lrs = [10 ** e for e in exponents]
    try:
        history = train(model, X, Y, steps=steps, lr=lambda step: lrs[step], batch_size=batch_size, seed=seed,
                        diverge_factor=4.0, progress=progress)
        stopped = False
    except TrainingDiverged as exc:
        history, stopped = exc.history, True
    losses = history.losses
    if len(losses) < window:
        raise ValueError(f"The loss exploded after {len(losses)} steps; start the sweep lower than 1e{low:g}.")
    return LRSweep(exponents, lrs, losses, moving_average(losses, window), suggest_rate(losses, lrs, window), stopped)


def moving_average(losses: list[float], window: int) -> list[float]:
    """Return the mean of every run of `window` consecutive losses (len(losses) - window + 1 of them)."""
    kernel = torch.ones(window) / window
    return torch.conv1d(torch.tensor(losses).view(1, 1, -1), kernel.view(1, 1, -1)).view(-1).tolist()


def suggest_rate(losses: list[float], lrs: list[float], window: int) -> float:
    """find_lr's suggestion: the rate at the centre of the window of `window` losses with the lowest mean."""
    smoothed = torch.tensor(moving_average(losses, window))
    return lrs[int(smoothed.argmin()) + window // 2]  # argmin: the first of equal lowest means


def warmup_cosine(peak: float, total_steps: int, warmup_steps: int = 500,
                  final_fraction: float = 0.05) -> Callable[[int], float]:
    """Return lr(step): a linear warm-up to `peak`, then a cosine decay to `final_fraction * peak` at the last step.

    Taught in lesson 09.
    """
    if not 0 <= warmup_steps < total_steps:
        raise ValueError(f"warmup_steps must be in [0, total_steps), got {warmup_steps} of {total_steps}.")

    def lr(step: int) -> float:
        if step < warmup_steps:
            return peak * (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - 1 - warmup_steps)  # 0 -> 1
        return peak * (final_fraction + (1 - final_fraction) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))

    return lr
