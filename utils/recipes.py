"""The two recipes the course measures: the lecture model (lesson 06) and the final MLP of lesson 09.

Each of those lessons writes its recipe out, as it teaches it; the benchmark (`bench/quality.py`) trains
from here, and `tests/test_recipes.py` checks that the lessons' recipes are these ones. So a lesson that
changed its recipe without this file fails a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

import torch

from .learning_rate import warmup_cosine
from .model import MLP, ModelConfig
from .training import History, train


@dataclass(frozen=True)
class Recipe:
    """A model's settings and how to train it: everything `train` needs besides the data."""

    config: ModelConfig
    steps: int
    lr: Callable[[int], float]  # the learning rate of each step
    batch_size: int = 32
    optimizer: Literal["sgd", "adamw"] = "sgd"
    weight_decay: float = 0.0

    def train(self, X: torch.Tensor, Y: torch.Tensor, **options) -> tuple[MLP, History]:
        """Train a fresh MLP on (X, Y) with this recipe; `options` go to `train` (eval_sets, progress, ...)."""
        model = MLP(self.config)
        history = train(model, X, Y, steps=self.steps, lr=self.lr, batch_size=self.batch_size,
                        optimizer=self.optimizer, weight_decay=self.weight_decay, **options)
        return model, history


def _lecture_lr(step: int) -> float:
    return 0.1 if step < 100_000 else 0.01


# Lesson 06: the lecture's model and schedule, 200,000 minibatches of 32, rate 0.1 then 0.01.
LECTURE_RECIPE = Recipe(ModelConfig(block_size=3, embedding_dim=10, hidden_size=200), steps=200_000, lr=_lecture_lr)

# Lesson 09: the last rung of the ladder, dev loss below 2.00.
FINAL_RECIPE = Recipe(
    ModelConfig(block_size=8, embedding_dim=24, hidden_size=512, init="scaled", output_scale=0.01, dropout=0.1),
    steps=6000, lr=warmup_cosine(4e-3, 6000, warmup_steps=6000 // 16), batch_size=256, optimizer="adamw",
    weight_decay=0.01)
