"""Studies too long to run inside a lesson: `python -m bench studies [name ...]`.

A study trains many models (several seeds, 100,000-step runs, an ablation) and writes its results to
`notebooks/studies/<name>.json`, which the lesson reads with `utils.load_study(name)`. Each study lives in a
module here (one per lesson) and registers itself with `@study(...)`:

- `settings` says exactly what the study runs (models, steps, seeds); it is stored with the results, and
  `tests/test_studies.py` fails when the stored settings are not the current ones, so a changed recipe
  cannot leave stale numbers in a lesson;
- `run(settings)` does the work and returns the results (plain JSON: numbers, lists, dicts);
- `spot(settings, results)` re-computes one stored number in a few seconds (say, the first 1,000 steps of one
  run) and returns (recomputed, stored): the test checks that they agree, so the stored file is what the
  code produces, on this machine and under the portable kernels.
"""

from __future__ import annotations

import functools
import importlib
import json
import platform
import time
from dataclasses import dataclass
from typing import Any, Callable

import torch

from utils import Vocab, build_dataset, load_words, split_words
from utils.studies import STUDIES_DIR

MODULES = ("bench.studies.lesson06", "bench.studies.lesson07", "bench.studies.lesson09")


@functools.lru_cache(maxsize=4)
def lesson_split(block_size: int = 3, first_names: int | None = None):
    """The lessons' data: the vocabulary, then (train X, Y) and (dev X, Y) of lesson 06's split,
    split_words(words, seed=42); `first_names` keeps only the first training names. Built once per setting
    (nothing changes the tensors)."""
    words = load_words()
    vocab = Vocab.from_words(words)
    train_words, dev_words, _ = split_words(words, seed=42)
    train_words = train_words[:first_names] if first_names else train_words
    return vocab, build_dataset(train_words, block_size, vocab), build_dataset(dev_words, block_size, vocab)


def step_decay(steps: int, lr: list[float], decay_at: float | int):
    """Lesson 05's decay: rate lr[0], then lr[1] from step `decay_at` on (a step, or a fraction of `steps`)."""
    switch = decay_at if isinstance(decay_at, int) else decay_at * steps
    return lambda step: lr[0] if step < switch else lr[1]


@dataclass(frozen=True)
class Study:
    name: str
    lesson: str
    settings: dict[str, Any]
    run: Callable[[dict[str, Any]], dict[str, Any]]
    spot: Callable[[dict[str, Any], dict[str, Any]], tuple[float, float]]


REGISTRY: dict[str, Study] = {}


def study(name: str, lesson: str, settings: dict[str, Any], spot: Callable):
    """Register `run` as the study `name` of `lesson` with these settings and this spot check."""
    def register(run: Callable) -> Callable:
        if name in REGISTRY:
            raise ValueError(f"two studies are named {name!r}")
        REGISTRY[name] = Study(name, lesson, json.loads(json.dumps(settings)), run, spot)
        return run
    return register


def studies() -> dict[str, Study]:
    """Return every registered study, by name."""
    for module in MODULES:
        importlib.import_module(module)
    return dict(REGISTRY)


def run_study(name: str) -> dict[str, Any]:
    """Run one study in float64 on one thread, write notebooks/studies/<name>.json, and return what was written."""
    s = studies()[name]
    threads, dtype = torch.get_num_threads(), torch.get_default_dtype()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)  # as the lessons compute
    try:
        start = time.perf_counter()
        results = s.run(s.settings)
        minutes = (time.perf_counter() - start) / 60
    finally:
        torch.set_num_threads(threads)
        torch.set_default_dtype(dtype)
    record = {
        "study": s.name,
        "lesson": s.lesson,
        "command": f"python -m bench studies {s.name}",
        "torch": torch.__version__.split("+")[0],
        "python": platform.python_version(),
        "minutes_one_core": round(minutes, 1),
        "settings": s.settings,
        "results": results,
    }
    STUDIES_DIR.mkdir(parents=True, exist_ok=True)
    path = STUDIES_DIR / f"{s.name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n")
    tmp.replace(path)
    return record
