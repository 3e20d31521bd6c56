"""Quality against training time: the lecture model (lesson 06) and lesson 09's final MLP, from their recipes in utils.

`lecture_in_float32` trains the lecture recipe in float32 instead, for lesson 04's comparison of processors.
"""

from __future__ import annotations

import dataclasses

import torch

from bench.studies import lesson_split
from bench.training import model_in
from utils import FINAL_RECIPE, LECTURE_RECIPE, evaluate, train


def measure() -> dict[str, tuple[float, float]]:
    """Return {model: (dev loss, training seconds)} on one thread."""
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)  # as the lessons compute
    results = {}

    for label, recipe in [("lecture MLP (lesson 06): block 3, 11,897 parameters, SGD, 200,000 x 32", LECTURE_RECIPE),
                          ("final MLP (lesson 09): block 8, 113,315 parameters, AdamW, 6,000 x 256", FINAL_RECIPE)]:
        _, (X, Y), (Xd, Yd) = lesson_split(recipe.config.block_size)
        model, history = recipe.train(X, Y, progress=False)
        results[label] = (evaluate(model, Xd, Yd), history.seconds)
    return results


def lecture_in_float32(steps: int | None = None) -> float:
    """Train the lecture recipe (lesson 06) with float32 parameters and return its dev loss (lesson 04).

    The starting values are the float64 ones rounded to float32, and the batches are the same. `steps`
    shortens the run (tests); None keeps the recipe's 200,000. Run it under `ATEN_CPU_CAPABILITY=default`
    to use PyTorch's plain kernels instead of the ones it picks for this processor.
    """
    torch.set_num_threads(1)
    recipe = LECTURE_RECIPE if steps is None else dataclasses.replace(LECTURE_RECIPE, steps=steps)
    _, (X, Y), (Xd, Yd) = lesson_split(recipe.config.block_size)
    model = model_in(torch.float32, recipe.config)
    train(model, X, Y, steps=recipe.steps, lr=recipe.lr, batch_size=recipe.batch_size, optimizer=recipe.optimizer,
          weight_decay=recipe.weight_decay, progress=False)
    return evaluate(model, Xd, Yd)
