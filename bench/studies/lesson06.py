"""Lesson 06's studies: how much a dev loss moves from seed to seed, and what more steps give each model.

- `splits_seeds`: the four 8,000-step runs of the lesson's table of experiments, each with 10 seeds;
- `splits_long_runs`: the table's three models on all training names, trained 200,000 steps instead of 8,000;
- `splits_lecture_seeds`: the lecture recipe (utils.LECTURE_RECIPE) with 5 seeds, dev loss every 1,000 steps.

A seed sets both the initial parameters (`MLP(config, seed)`) and the order of the minibatches
(`train(..., seed)`); the first seed of each list is the lesson's, so that run is the lesson's own run.
Each run records the dev loss every 1,000 steps, so `spot` can re-train the first 1,000 steps of one run.
"""

from __future__ import annotations

from typing import Any

from bench.studies import lesson_split, step_decay, study
from utils import LECTURE_RECIPE, MLP, ModelConfig, evaluate, train
from utils.model import LECTURE_SEED

EVAL_EVERY = 1000  # steps between two dev evaluations

# The lesson's table of experiments (section 2): output layer scaled by 0.01, rate 0.1 then 0.01 for the last quarter.
TABLE = [
    {"label": "embedding 2, hidden 100", "embedding_dim": 2, "hidden_size": 100, "names": None},
    {"label": "embedding 2, hidden 300", "embedding_dim": 2, "hidden_size": 300, "names": None},
    {"label": "embedding 10, hidden 200", "embedding_dim": 10, "hidden_size": 200, "names": None},
    {"label": "embedding 10, hidden 200, 2,000 names", "embedding_dim": 10, "hidden_size": 200, "names": 2000},
]

SEEDS_SETTINGS = {"runs": TABLE, "steps": 8000, "output_scale": 0.01, "lr": [0.1, 0.01], "decay_at": 0.75,
                  "batch_size": 32, "seeds": [LECTURE_SEED] + list(range(1, 10)), "eval_every": EVAL_EVERY}
LONG_SETTINGS = {**SEEDS_SETTINGS, "runs": TABLE[:3], "steps": 200_000, "seeds": [LECTURE_SEED, 1, 2]}
LECTURE_SETTINGS = {
    "config": {"block_size": LECTURE_RECIPE.config.block_size, "embedding_dim": LECTURE_RECIPE.config.embedding_dim,
               "hidden_size": LECTURE_RECIPE.config.hidden_size, "output_scale": LECTURE_RECIPE.config.output_scale},
    "steps": LECTURE_RECIPE.steps, "lr": [LECTURE_RECIPE.lr(0), LECTURE_RECIPE.lr(LECTURE_RECIPE.steps - 1)],
    "decay_at": next(s for s in range(LECTURE_RECIPE.steps) if LECTURE_RECIPE.lr(s) != LECTURE_RECIPE.lr(0)),
    "batch_size": LECTURE_RECIPE.batch_size, "seeds": [LECTURE_SEED, 1, 2, 3, 4], "eval_every": EVAL_EVERY}


def _data(names: int | None = None):
    """(train X, Y) of all training names or of the first `names`, and (dev X, Y); block 3."""
    return lesson_split(3, names)[1:]


def _table_config(run: dict, settings: dict) -> ModelConfig:
    return ModelConfig(embedding_dim=run["embedding_dim"], hidden_size=run["hidden_size"],
                       output_scale=settings["output_scale"])


def _train_one(config: ModelConfig, seed: int, steps: int, settings: dict, train_set, dev_set,
               schedule_steps: int | None = None) -> dict[str, Any]:
    """Train a fresh model; return its final train and dev losses and its dev loss every `eval_every` steps."""
    model = MLP(config, seed=seed)
    X, Y = train_set
    lr = step_decay(schedule_steps or steps, settings["lr"], settings["decay_at"])
    history = train(model, X, Y, steps=steps, lr=lr, batch_size=settings["batch_size"], seed=seed,
                    eval_every=settings["eval_every"], eval_sets={"dev": dev_set}, progress=False)
    return {"seed": seed, "train": evaluate(model, X, Y), "dev": history.last("dev"),
            "dev_curve": history.eval_losses["dev"], "curve_steps": history.eval_steps}


def _table_runs(settings: dict) -> dict[str, Any]:
    runs = []
    for run in settings["runs"]:
        train_set, dev_set = _data(run["names"])
        config = _table_config(run, settings)
        runs.append({"label": run["label"], "seeds": [_train_one(config, seed, settings["steps"], settings, train_set,
                                                                 dev_set) for seed in settings["seeds"]]})
    return {"runs": runs}


def _spot_table(settings: dict, results: dict) -> tuple[float, float]:
    """Re-train the first 1,000 steps of the first run's first seed; return its dev loss then and the stored one."""
    run, stored = settings["runs"][0], results["runs"][0]["seeds"][0]
    train_set, dev_set = _data(run["names"])
    again = _train_one(_table_config(run, settings), stored["seed"], settings["eval_every"], settings, train_set,
                       dev_set, schedule_steps=settings["steps"])
    return again["dev"], stored["dev_curve"][0]


@study("splits_seeds", lesson="06", settings=SEEDS_SETTINGS, spot=_spot_table)
def seeds_of_the_table(settings: dict) -> dict[str, Any]:
    """The table's four 8,000-step runs, each with every seed."""
    return _table_runs(settings)


@study("splits_long_runs", lesson="06", settings=LONG_SETTINGS, spot=_spot_table)
def long_runs(settings: dict) -> dict[str, Any]:
    """The table's three models on all training names, 200,000 steps, each with every seed."""
    return _table_runs(settings)


def _lecture_config(settings: dict) -> ModelConfig:
    return ModelConfig(**settings["config"])


def _spot_lecture(settings: dict, results: dict) -> tuple[float, float]:
    """Re-train the first 1,000 steps of the lecture recipe with the first seed; return its dev loss and the stored one."""
    stored = results["seeds"][0]
    train_set, dev_set = _data()
    again = _train_one(_lecture_config(settings), stored["seed"], settings["eval_every"], settings, train_set, dev_set,
                       schedule_steps=settings["steps"])
    return again["dev"], stored["dev_curve"][0]


@study("splits_lecture_seeds", lesson="06", settings=LECTURE_SETTINGS, spot=_spot_lecture)
def lecture_seeds(settings: dict) -> dict[str, Any]:
    """The lecture recipe, 200,000 steps, with every seed; dev loss every 1,000 steps."""
    train_set, dev_set = _data()
    config = _lecture_config(settings)
    return {"seeds": [_train_one(config, seed, settings["steps"], settings, train_set, dev_set)
                      for seed in settings["seeds"]]}
