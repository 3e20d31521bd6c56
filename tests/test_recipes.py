"""The recipes in utils.recipes are the ones lessons 06 and 09 write out: one home, kept in step here."""

import io

import nbformat
from rich.console import Console
from rich.table import Table

from nbtools import NOTEBOOKS
from utils import FINAL_RECIPE, LECTURE_RECIPE, MLP, ModelConfig, count_parameters, train, warmup_cosine


def cell_namespace(lesson: str, cell_id: str, **names) -> dict:
    """Run one cell of a lesson (only definitions, no training) in a namespace holding `names`; return it."""
    nb = nbformat.read(NOTEBOOKS / lesson, as_version=4)
    source = next(c.source for c in nb.cells if c.get("id") == cell_id)
    namespace = dict(names)
    exec(compile(source, f"<{lesson} {cell_id}>", "exec"), namespace)
    return namespace


def test_lesson_06_writes_out_the_lecture_recipe():
    lesson = cell_namespace("06_splits.ipynb", "cell-10", ModelConfig=ModelConfig)
    training = next(c.source for c in nbformat.read(NOTEBOOKS / "06_splits.ipynb", as_version=4).cells
                    if c.get("id") == "cell-11")
    assert lesson["config"] == LECTURE_RECIPE.config
    assert "steps=200_000" in training and "lr=schedule" in training and LECTURE_RECIPE.steps == 200_000
    assert LECTURE_RECIPE.batch_size == 32 and LECTURE_RECIPE.optimizer == "sgd"
    assert all(LECTURE_RECIPE.lr(step) == lesson["schedule"](step) for step in range(0, 200_000, 7))
    assert LECTURE_RECIPE.lr(99_999) == lesson["schedule"](99_999) and LECTURE_RECIPE.lr(100_000) == 0.01


def test_lesson_09s_final_rung_is_the_final_recipe():
    lesson = cell_namespace("09_beyond_bengio.ipynb", "cell-07", ModelConfig=ModelConfig, MLP=MLP, train=train,
                            warmup_cosine=warmup_cosine, count_parameters=count_parameters, Table=Table,
                            console=Console(file=io.StringIO()), sgd_schedule=None, data=None)
    _, model_settings, options = lesson["LADDER"][-1]
    assert FINAL_RECIPE.config == ModelConfig(**model_settings)
    assert (FINAL_RECIPE.steps, FINAL_RECIPE.batch_size, FINAL_RECIPE.optimizer, FINAL_RECIPE.weight_decay) == (
        options["steps"], options["batch_size"], options["optimizer"], options["weight_decay"])
    assert "warmup_cosine(4e-3, steps, warmup_steps=steps // 16)" in next(
        c.source for c in nbformat.read(NOTEBOOKS / "09_beyond_bengio.ipynb", as_version=4).cells
        if c.get("id") == "cell-07")  # run_rung's schedule, which the recipe's must equal
    rung_lr = warmup_cosine(4e-3, options["steps"], warmup_steps=options["steps"] // 16)
    assert all(FINAL_RECIPE.lr(step) == rung_lr(step) for step in range(options["steps"]))


def test_lesson_09s_rungs_below_the_final_one_are_the_ladder_studys():
    """The lesson reads rungs 0-5 from the study beyond_ladder: its rungs and run_rung's training are the lesson's."""
    from bench.studies.lesson09 import LADDER_SETTINGS as study

    lesson = cell_namespace("09_beyond_bengio.ipynb", "cell-07", ModelConfig=ModelConfig, MLP=MLP, train=train,
                            warmup_cosine=warmup_cosine, count_parameters=count_parameters, Table=Table,
                            console=Console(file=io.StringIO()), sgd_schedule=None, data=None)
    ladder = lesson["LADDER"][:-1]
    assert [name for name, *_ in ladder] == [rung["label"] for rung in study["rungs"]]
    for (name, model_settings, options), rung in zip(ladder, study["rungs"]):
        assert ModelConfig(**model_settings) == ModelConfig(**rung["config"]), name
        assert options == {"optimizer": rung["optimizer"]} | (
            {"weight_decay": rung["weight_decay"]} if "weight_decay" in rung else {}), name
    cells = {c.get("id"): c.source for c in nbformat.read(NOTEBOOKS / "09_beyond_bengio.ipynb", as_version=4).cells}
    assert 'opt.pop("steps", 3000), opt.pop("batch_size", 32)' in cells["cell-07"]
    assert (study["steps"], study["batch_size"]) == (3000, 32)
    assert "warmup_cosine(4e-3, steps, warmup_steps=steps // 16)" in cells["cell-07"]
    assert (study["adamw_peak"], study["warmup_fraction"]) == (4e-3, 16)
    assert "return lambda s: 0.1 if s < 0.75 * steps else 0.01" in cells["cell-03"]  # sgd_schedule
    assert (study["sgd_lr"], study["decay_at"]) == ([0.1, 0.01], 0.75)


def test_lesson_09s_direct_connection_runs_are_the_direct_studys():
    """Section 1 reads its two runs from the study beyond_direct: the same models, steps and schedule."""
    from bench.studies.lesson09 import DIRECT_SETTINGS as study

    cells = {c.get("id"): c.source for c in nbformat.read(NOTEBOOKS / "09_beyond_bengio.ipynb", as_version=4).cells}
    lesson = {}
    exec(compile(cells["cell-03"].replace("(Xtr, Ytr), (Xdev, Ydev), _ = data(3)\n", ""), "<cell-03>", "exec"),
         {"ModelConfig": ModelConfig}, lesson)
    assert lesson["plain_config"] == ModelConfig(**study["config"])
    assert lesson["direct_config"] == ModelConfig(**study["config"], direct=True)
    assert "steps=10_000, lr=sgd_schedule(10_000)" in cells["cell-04"] and study["steps"] == 10_000
    assert all(lesson["sgd_schedule"](10_000)(s) == (0.1 if s < 7_500 else 0.01) for s in range(0, 10_000, 50))
    assert (study["lr"], study["decay_at"], study["batch_size"]) == ([0.1, 0.01], 0.75, 32)
