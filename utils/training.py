"""The training loop of lesson 04 as a helper: minibatch gradient descent, its history, and evaluation.

`train` is the loop lesson 04 writes out (forward, loss, zero the gradients, `loss.backward()`, update), with
the checks a long run needs: arguments refused before the first step, a diverging loss stopped before its
update, an interrupted run that keeps what it recorded. `evaluate` is the loss on a whole split.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Literal

import torch
import torch.nn.functional as F

from .model import LECTURE_SEED, MLP
from .progress import ProgressBar

LearningRate = float | Callable[[int], float]


class TrainingDiverged(RuntimeError):
    """The loss became nan or inf, or exploded; `history` holds everything recorded up to that step (lesson 05)."""

    def __init__(self, message: str, history: "History"):
        super().__init__(message)
        self.history = history


@dataclass
class History:
    """What a training run recorded: the loss of every batch and the periodic full-split losses (lesson 04)."""

    steps: list[int] = field(default_factory=list)  # 0, 1, 2, ... (one per optimisation step)
    losses: list[float] = field(default_factory=list)  # the minibatch loss at each step
    lrs: list[float] = field(default_factory=list)  # the learning rate used at each step
    eval_steps: list[int] = field(default_factory=list)  # the steps after which the splits were evaluated
    eval_losses: dict[str, list[float]] = field(default_factory=dict)  # split name -> its losses
    seconds: float = 0.0  # wall time of the run (not for stored outputs: it differs every run)

    def last(self, split: str) -> float:
        """Return the most recent evaluated loss of a split."""
        return self.eval_losses[split][-1]


def _set_training(model, flag: bool) -> None:
    """Switch dropout on or off: `module.train(flag)` for a torch.nn.Module (and its submodules), else the flag."""
    if isinstance(model, torch.nn.Module):
        model.train(flag)
    else:
        model.training = flag


@torch.no_grad()
def evaluate(model: MLP, X: torch.Tensor, Y: torch.Tensor, batch_size: int = 1024) -> float:
    """Return the mean cross-entropy loss of `model` on all of (X, Y), without dropout (lesson 04)."""
    was_training = getattr(model, "training", False)
    _set_training(model, False)
    try:
        total = 0.0
        for i in range(0, len(X), batch_size):
            logits = model(X[i:i + batch_size])
            total += F.cross_entropy(logits, Y[i:i + batch_size], reduction="sum").item()
        return total / len(X)
    finally:
        _set_training(model, was_training)


def _as_schedule(lr: LearningRate) -> Callable[[int], float]:
    return lr if callable(lr) else (lambda step: lr)


def train(model: MLP, X: torch.Tensor, Y: torch.Tensor, *, steps: int, lr: LearningRate = 0.1,
          batch_size: int = 32, seed: int = LECTURE_SEED, optimizer: Literal["sgd", "adamw"] = "sgd",
          weight_decay: float = 0.0, eval_every: int | None = None,
          eval_sets: dict[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
          diverge_factor: float | None = 10.0, progress: bool = True) -> History:
    """Train `model` on minibatches of (X, Y) drawn with a seeded generator; return the History. Taught in lesson 04.

    Each step is the loop of lesson 04: forward, loss, zero the gradients, `loss.backward()`, update.
    `lr` is a number or a function of the step. `optimizer` is "sgd" (p -= lr * grad, as written out in
    lesson 04; `weight_decay` adds weight_decay * p to each gradient) or "adamw" (lesson 09). Every
    `eval_every` steps, and after the last step, each split in `eval_sets` is evaluated on all its rows.
    Raises TrainingDiverged when a batch loss is nan or inf, or more than `diverge_factor` times the first
    batch's loss (None: no such limit), before that step's update. An interrupted run (Ctrl-C or any other
    exception) leaves the model out of training mode, and the exception carries the history as `.history`.
    """
    if getattr(model, "diverged", None):  # its parameters are what the diverging steps left: don't build on them
        raise ValueError(f"This model diverged in an earlier run ({model.diverged}), and its parameters are damaged: "
                         f"training it again would start from them, and the loss it starts at would hide the damage. "
                         f"Train a fresh model (or load good parameters into it with load_state_dict).")
    _check_training_arguments(model, X, Y, steps, batch_size, optimizer, weight_decay, eval_every, eval_sets,
                              diverge_factor)
    schedule = _as_schedule(lr)
    params = list(model.parameters())  # a list: an nn.Module's parameters() is a generator, used up after one walk
    eval_sets = eval_sets or {}
    history = History(eval_losses={name: [] for name in eval_sets})
    generator = torch.Generator().manual_seed(seed)
    # fused=True: the whole AdamW update in one pass over each parameter instead of a dozen tensor operations,
    # the same arithmetic (results agree to ~1e-12) and ~1 ms a step faster for the final model of lesson 09
    adamw = torch.optim.AdamW(params, lr=0.0, weight_decay=weight_decay, fused=True) if optimizer == "adamw" else None
    n = len(X)
    chunk = 1000  # batch indices are drawn 1,000 steps at a time: the same numbers as one draw per step
    limit = math.inf  # set from the first batch's loss
    _set_training(model, True)
    start = time.perf_counter()
    try:
        with ProgressBar(progress, steps) as bar:
            for step in range(steps):
                if step % chunk == 0:
                    batches = torch.randint(0, n, (min(chunk, steps - step), batch_size), generator=generator)
                    X_chunk, Y_chunk = X[batches], Y[batches]  # (chunk, B, T), (chunk, B): gathered once, not per step
                xb, yb = X_chunk[step % chunk], Y_chunk[step % chunk]  # (B, T), (B,) rows X[ix], Y[ix] of this step
                rate = _checked_rate(schedule(step), step)
                loss = F.cross_entropy(model(xb), yb)  # forward
                loss_value = loss.item()
                if step == 0 and diverge_factor is not None and math.isfinite(loss_value):
                    limit = diverge_factor * loss_value
                if not math.isfinite(loss_value) or loss_value > limit:
                    what = f"became {loss_value}" if not math.isfinite(loss_value) else \
                        f"reached {loss_value:.4g}, over {diverge_factor:g} times the first batch's {history.losses[0]:.4f}"
                    if step == 0:  # no update yet: the learning rate cannot be the cause
                        advice = ("This was before any update, so the learning rate is not the cause: look for values "
                                  "that are not finite, or far too large, in the model's parameters or the data.")
                    else:
                        advice = ("This step made no update, but the steps before it may already have damaged the "
                                  "parameters: train a fresh model with a lower learning rate (utils.find_lr suggests one).")
                    model.diverged = f"step {step}, learning rate {rate:g}"  # train() refuses this model from now on
                    raise TrainingDiverged(f"Training diverged at step {step} (learning rate {rate:g}): the loss {what}. "
                                           f"{advice}", history)
                for p in params:
                    p.grad = None  # zero the gradients
                loss.backward()
                if adamw is None:
                    with torch.no_grad():
                        for p in params:
                            if weight_decay:
                                p.grad.add_(p, alpha=weight_decay)  # L2 penalty: its gradient is weight_decay * p
                            p.add_(p.grad, alpha=-rate)  # p -= lr * grad
                else:
                    adamw.param_groups[0]["lr"] = rate
                    adamw.step()
                history.steps.append(step)
                history.losses.append(loss_value)
                history.lrs.append(rate)
                last = step == steps - 1
                if eval_sets and ((eval_every and (step + 1) % eval_every == 0) or last):
                    history.eval_steps.append(step + 1)
                    for name, (Xs, Ys) in eval_sets.items():
                        history.eval_losses[name].append(evaluate(model, Xs, Ys))
                bar.update(step + 1, loss_value, last)
    except BaseException as exc:  # diverged, interrupted (Ctrl-C) or failed: keep what was recorded
        exc.history = history
        raise
    finally:
        _set_training(model, False)
        history.seconds = time.perf_counter() - start
    return history


def _checked_rate(rate: float, step: int) -> float:
    """Return the learning rate of a step, or raise a clear error if it is not a finite number >= 0."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate < 0:
        raise ValueError(f"The learning rate at step {step} is {rate!r}; it must be a finite number >= 0.")
    return float(rate)


def _check_training_arguments(model, X, Y, steps, batch_size, optimizer, weight_decay, eval_every, eval_sets,
                              diverge_factor) -> None:
    """Raise a clear ValueError for arguments `train` cannot use, before any step is taken."""
    for name, value in (("steps", steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
    if optimizer not in ("sgd", "adamw"):
        raise ValueError(f"optimizer must be 'sgd' or 'adamw', got {optimizer!r}.")
    if not (isinstance(weight_decay, (int, float)) and math.isfinite(weight_decay) and weight_decay >= 0):
        raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}.")
    if eval_every is not None and (isinstance(eval_every, bool) or not isinstance(eval_every, int) or eval_every < 1):
        raise ValueError(f"eval_every must be a whole number of at least 1 (or None), got {eval_every!r}.")
    if diverge_factor is not None and not (isinstance(diverge_factor, (int, float)) and diverge_factor > 1):
        raise ValueError(f"diverge_factor must be a number above 1 (or None), got {diverge_factor!r}.")
    for name, (Xs, Ys) in {"training data": (X, Y), **{f"eval set {k!r}": v for k, v in (eval_sets or {}).items()}}.items():
        if len(Xs) == 0:
            raise ValueError(f"The {name} is empty.")
        if len(Xs) != len(Ys):
            raise ValueError(f"The {name} has {len(Xs):,} contexts but {len(Ys):,} targets; they must pair up one to one.")
    config = getattr(model, "config", None)
    block_size, vocab_size = getattr(config, "block_size", None), getattr(config, "vocab_size", None)
    if block_size is not None and (X.dim() != 2 or X.shape[1] != block_size):
        raise ValueError(f"The model reads contexts of {block_size} characters, but X has shape {tuple(X.shape)}.")
    if vocab_size is not None:
        for name, (Xs, Ys) in {"training data": (X, Y), **(eval_sets or {})}.items():
            largest = max(int(Xs.max()), int(Ys.max()))
            if largest >= vocab_size:
                raise ValueError(f"The {name} holds character index {largest}, but the model has vocab_size "
                                 f"{vocab_size}: build it with ModelConfig(vocab_size=len(vocab)).")
