"""Lesson 09's studies: the direct connection on several seeds, what each part of the final recipe is worth, where
its constants come from, and a deeper model.

- `beyond_direct`: section 1's plain and direct models, 10,000 steps, dev loss every 250 steps, 3 seeds;
- `beyond_ladder`: section 2's ladder below its last rung (rungs 0-5, 3,000 steps each), 3 seeds; the last rung is
  the final recipe, trained in the lesson (and with every seed as the ablation's first row);
- `beyond_ablation`: the final recipe (utils.FINAL_RECIPE), then the recipe with each of its ingredients taken out
  in turn (leave-one-out), 3 seeds each;
- `beyond_constants`: the final recipe with one constant changed: the peak learning rate swept, and a step past
  each hand-picked value (embedding, hidden layer, weight decay, warm-up), 3 seeds each;
- `beyond_wordlist`: section 5's smaller recipe on its list of made-up user names, with other peak rates and
  warm-up lengths, 3 seeds each;
- `beyond_depth`: the final model written as a torch.nn.Module (`utils.model.NeuralLM`, the class lesson 09 writes
  out), with two hidden layers, trained with the final recipe, 3 seeds each (one hidden layer: the
  ablation's first row, the same model).

A seed sets both the initial parameters and the order of the minibatches (and the dropout masks); the first seed
of each list is the lesson's, so that run is the lesson's own run. Every run records its dev loss every
`eval_every` steps, so `spot` can re-train the first few hundred steps of one run in a few seconds.
"""

from __future__ import annotations

import random
from dataclasses import asdict
from typing import Any

import torch
from torch import nn

from bench.studies import lesson_split, step_decay, study
from utils import FINAL_RECIPE, MLP, ModelConfig, Vocab, build_dataset, count_parameters, evaluate, load_words, \
    split_words, train, warmup_cosine
from utils.model import LECTURE_SEED, NeuralLM

SEEDS = [LECTURE_SEED, 1, 2]


def _data(block_size: int):
    """The lesson's split (split_words(words, seed=42)) as tensors: (train X, Y), (dev X, Y)."""
    return lesson_split(block_size)[1:]


# --- beyond_direct: section 1, plain against direct ------------------------------------------------------------

DIRECT_SETTINGS = {
    "config": {"block_size": 3, "embedding_dim": 10, "hidden_size": 200, "init": "scaled", "output_scale": 0.01},
    "runs": [{"label": "plain", "direct": False}, {"label": "direct", "direct": True}],
    "steps": 10_000, "lr": [0.1, 0.01], "decay_at": 0.75, "batch_size": 32, "seeds": SEEDS, "eval_every": 250}


def _direct_run(settings: dict, direct: bool, seed: int, steps: int, train_set, dev_set) -> dict[str, Any]:
    """Train section 1's model (with or without the direct path) for `steps` of its schedule; return its dev curve."""
    model = MLP(ModelConfig(**settings["config"], direct=direct), seed=seed)
    lr = step_decay(settings["steps"], settings["lr"], settings["decay_at"])  # section 1's schedule
    X, Y = train_set
    history = train(model, X, Y, steps=steps, lr=lr, batch_size=settings["batch_size"], seed=seed,
                    eval_every=settings["eval_every"], eval_sets={"dev": dev_set}, progress=False)
    return {"seed": seed, "dev": history.last("dev"), "dev_curve": history.eval_losses["dev"],
            "curve_steps": history.eval_steps}


def _spot_direct(settings: dict, results: dict) -> tuple[float, float]:
    """Re-train the first 500 steps of the direct model's first seed; return its dev loss then and the stored one."""
    stored = results["runs"][1]["seeds"][0]
    train_set, dev_set = _data(settings["config"]["block_size"])
    again = _direct_run(settings, True, stored["seed"], 2 * settings["eval_every"], train_set, dev_set)
    return again["dev"], stored["dev_curve"][1]


@study("beyond_direct", lesson="09", settings=DIRECT_SETTINGS, spot=_spot_direct)
def direct_connection(settings: dict) -> dict[str, Any]:
    """Section 1's plain and direct models with every seed; dev loss every `eval_every` steps."""
    train_set, dev_set = _data(settings["config"]["block_size"])
    return {"runs": [{"label": run["label"], "seeds": [_direct_run(settings, run["direct"], seed, settings["steps"],
                                                                   train_set, dev_set) for seed in settings["seeds"]]}
                     for run in settings["runs"]]}


# --- beyond_ladder: section 2's rungs 0-5 ------------------------------------------------------------------------

_BASE = {"block_size": 8, "embedding_dim": 24, "hidden_size": 512, "init": "scaled", "output_scale": 0.01}
LADDER_SETTINGS = {  # the lesson's LADDER without its last rung, as run_rung trains each rung (tests/test_recipes.py)
    "rungs": [
        {"label": "lecture model (block 3, emb 10, hidden 200)",
         "config": {"block_size": 3, "embedding_dim": 10, "hidden_size": 200}, "optimizer": "sgd"},
        {"label": "+ good initialisation", "config": {**_BASE, "block_size": 3, "embedding_dim": 10, "hidden_size": 200},
         "optimizer": "sgd"},
        {"label": "+ context of 8 characters", "config": {**_BASE, "embedding_dim": 10, "hidden_size": 200},
         "optimizer": "sgd"},
        {"label": "+ embedding 24, hidden 512", "config": _BASE, "optimizer": "sgd"},
        {"label": "+ AdamW, warm-up + cosine", "config": _BASE, "optimizer": "adamw"},
        {"label": "+ dropout 0.1, weight decay 0.01", "config": {**_BASE, "dropout": 0.1}, "optimizer": "adamw",
         "weight_decay": 0.01},
    ],
    # run_rung's defaults: 3,000 steps of 32; SGD at 0.1 then 0.01 for the last quarter; AdamW warm-up + cosine
    "steps": 3000, "batch_size": 32, "sgd_lr": [0.1, 0.01], "decay_at": 0.75, "adamw_peak": 4e-3, "warmup_fraction": 16,
    "seeds": SEEDS, "eval_every": 250,
}


def _rung_run(settings: dict, rung: dict, seed: int, steps: int) -> dict[str, Any]:
    """Train one rung as the lesson's run_rung does, with `seed` for its parameters and batches, for `steps` of
    its schedule; return its losses on the train sample (the first len(dev) training examples) and on dev."""
    total = settings["steps"]
    if rung["optimizer"] == "sgd":
        lr = step_decay(total, settings["sgd_lr"], settings["decay_at"])  # the lesson's sgd_schedule
    else:
        lr = warmup_cosine(settings["adamw_peak"], total, warmup_steps=total // settings["warmup_fraction"])
    config = ModelConfig(**rung["config"])
    (X, Y), (Xd, Yd) = _data(config.block_size)
    n = len(Xd)
    history = train(MLP(config, seed=seed), X, Y, steps=steps, batch_size=settings["batch_size"], lr=lr, seed=seed,
                    optimizer=rung["optimizer"], weight_decay=rung.get("weight_decay", 0.0),
                    eval_every=settings["eval_every"], eval_sets={"train sample": (X[:n], Y[:n]), "dev": (Xd, Yd)},
                    progress=False)
    return {"seed": seed, "train sample": history.last("train sample"), "dev": history.last("dev"),
            "dev_curve": history.eval_losses["dev"], "curve_steps": history.eval_steps}


def _spot_ladder(settings: dict, results: dict) -> tuple[float, float]:
    """Re-train the first `eval_every` steps of rung 5 (AdamW, dropout, weight decay) with its first seed."""
    stored = results["rungs"][5]["seeds"][0]
    again = _rung_run(settings, settings["rungs"][5], stored["seed"], settings["eval_every"])
    return again["dev"], stored["dev_curve"][0]


@study("beyond_ladder", lesson="09", settings=LADDER_SETTINGS, spot=_spot_ladder)
def ladder(settings: dict) -> dict[str, Any]:
    """Rungs 0-5 of section 2's ladder with every seed."""
    return {"rungs": [{"label": rung["label"], "seeds": [_rung_run(settings, rung, seed, settings["steps"])
                                                         for seed in settings["seeds"]]}
                      for rung in settings["rungs"]]}


# --- the final recipe and its variants ---------------------------------------------------------------------------

def _final_recipe() -> dict[str, Any]:
    """FINAL_RECIPE as plain settings: the model's, the optimiser's, and its warm-up + cosine schedule's."""
    steps = FINAL_RECIPE.steps
    rates = [FINAL_RECIPE.lr(step) for step in range(steps)]
    peak = max(rates)
    recipe = {"config": asdict(FINAL_RECIPE.config), "steps": steps, "batch_size": FINAL_RECIPE.batch_size,
              "optimizer": FINAL_RECIPE.optimizer, "weight_decay": FINAL_RECIPE.weight_decay, "peak": peak,
              "warmup_steps": rates.index(peak) + 1, "final_fraction": round(rates[-1] / peak, 12)}
    if [_schedule(recipe)(step) for step in range(steps)] != rates:
        raise ValueError("FINAL_RECIPE's rate is no longer a warmup_cosine schedule: update bench/studies/lesson09.py")
    return recipe


def _schedule(recipe: dict):
    return warmup_cosine(recipe["peak"], recipe["steps"], warmup_steps=recipe["warmup_steps"],
                         final_fraction=recipe["final_fraction"])


def _variant(recipe: dict, change: dict) -> dict:
    """The recipe with `change` applied: keys of the recipe, and "config" for the model's settings."""
    out = {**recipe, **{k: v for k, v in change.items() if k != "config"}}
    out["config"] = {**recipe["config"], **change.get("config", {})}
    return out


FINAL = _final_recipe()
SGD_PEAK = 0.1  # lesson 05's rate for SGD
ABLATION = [  # what each row takes out of the final recipe; the first row is the recipe itself
    {"label": "final recipe", "change": {}},
    {"label": "lecture initialisation (every weight N(0, 1))",
     "change": {"config": {"init": "normal", "output_scale": 1.0}}},
    {"label": "context 3 instead of 8", "change": {"config": {"block_size": 3}}},
    {"label": "embedding 10 instead of 24", "change": {"config": {"embedding_dim": 10}}},
    {"label": "hidden 200 instead of 512", "change": {"config": {"hidden_size": 200}}},
    # SGD at lesson 05's rate, same schedule shape; weight decay scaled so each step shrinks the weights as much
    {"label": "SGD (peak 0.1) instead of AdamW",
     "change": {"optimizer": "sgd", "peak": SGD_PEAK,
                "weight_decay": FINAL["weight_decay"] * FINAL["peak"] / SGD_PEAK}},
    {"label": "no warm-up", "change": {"warmup_steps": 0}},
    {"label": "no cosine decay (constant rate after the warm-up)", "change": {"final_fraction": 1.0}},
    {"label": "no dropout", "change": {"config": {"dropout": 0.0}}},
    {"label": "no weight decay", "change": {"weight_decay": 0.0}},
    {"label": "batches of 32 instead of 256", "change": {"batch_size": 32}},
]
CONSTANTS = [  # one constant of the final recipe changed: the peak rate swept, then one step past each chosen value
    *[{"label": f"peak rate {peak:g}", "change": {"peak": peak}} for peak in (0.001, 0.002, 0.003, 0.006, 0.008)],
    {"label": "embedding 32", "change": {"config": {"embedding_dim": 32}}},
    {"label": "hidden 1024", "change": {"config": {"hidden_size": 1024}}},
    {"label": "weight decay 0.1", "change": {"weight_decay": 0.1}},
    {"label": "warm-up 750 steps (1/8 of the steps)", "change": {"warmup_steps": 750}},
]
EVAL_EVERY = 200  # a dev point this early lets `spot` re-train a short prefix of a run: ~2 s
ABLATION_SETTINGS = {"recipe": FINAL, "rows": ABLATION, "seeds": SEEDS, "eval_every": EVAL_EVERY}
CONSTANTS_SETTINGS = {"recipe": FINAL, "rows": CONSTANTS, "seeds": SEEDS, "eval_every": EVAL_EVERY}


def _train_recipe(model, recipe: dict, seed: int, steps: int, eval_every: int, train_set, dev_set,
                  train_loss: bool = True) -> dict[str, Any]:
    """Train `model` with `recipe` for its first `steps` steps; return its train and dev losses and its dev curve."""
    X, Y = train_set
    history = train(model, X, Y, steps=steps, lr=_schedule(recipe), batch_size=recipe["batch_size"], seed=seed,
                    optimizer=recipe["optimizer"], weight_decay=recipe["weight_decay"], eval_every=eval_every,
                    eval_sets={"dev": dev_set}, progress=False)
    return {"seed": seed, "train": evaluate(model, X, Y) if train_loss else None, "dev": history.last("dev"),
            "dev_curve": history.eval_losses["dev"], "curve_steps": history.eval_steps}


def _rows(settings: dict, data=None) -> dict[str, Any]:
    """Train every row's variant of settings["recipe"] with every seed; `data(block_size)`: the (train, dev) sets."""
    data = data or _data
    rows = []
    for row in settings["rows"]:
        recipe = _variant(settings["recipe"], row["change"])
        train_set, dev_set = data(recipe["config"]["block_size"])
        config = ModelConfig(**recipe["config"])
        rows.append({"label": row["label"], "parameters": count_parameters(config),
                     "seeds": [_train_recipe(MLP(config, seed=seed), recipe, seed, recipe["steps"],
                                             settings["eval_every"], train_set, dev_set)
                               for seed in settings["seeds"]]})
    return {"rows": rows}


def _spot_rows(label: str, data=None):
    """A spot check: re-train the first `eval_every` steps of row `label`'s first seed; its dev loss, the stored one."""
    def spot(settings: dict, results: dict) -> tuple[float, float]:
        i = next(i for i, row in enumerate(settings["rows"]) if row["label"] == label)
        recipe, stored = _variant(settings["recipe"], settings["rows"][i]["change"]), results["rows"][i]["seeds"][0]
        train_set, dev_set = (data or _data)(recipe["config"]["block_size"])
        model = MLP(ModelConfig(**recipe["config"]), seed=stored["seed"])
        again = _train_recipe(model, recipe, stored["seed"], settings["eval_every"], settings["eval_every"], train_set,
                              dev_set, train_loss=False)
        return again["dev"], stored["dev_curve"][0]
    return spot


@study("beyond_ablation", lesson="09", settings=ABLATION_SETTINGS, spot=_spot_rows("batches of 32 instead of 256"))
def ablation(settings: dict) -> dict[str, Any]:
    """The final recipe, then the recipe with each ingredient taken out in turn; every seed."""
    return _rows(settings)


@study("beyond_constants", lesson="09", settings=CONSTANTS_SETTINGS, spot=_spot_rows("peak rate 0.003"))
def constants(settings: dict) -> dict[str, Any]:
    """The final recipe with one constant changed (the peak rate swept, one step past each size); every seed."""
    return _rows(settings)


# --- beyond_wordlist: section 5's made-up user names, its peak rate and warm-up --------------------------------

HANDLES = {"count": 3000, "seed": 0}  # section 5's list: rng = random.Random(0), 3,000 "letters_two-digits" names


def _handles() -> list[str]:
    """Section 5's word list, made exactly as the lesson makes it (the first 3-6 letters of a name, _, two digits)."""
    words = load_words()
    rng = random.Random(HANDLES["seed"])
    return [f"{rng.choice(words)[:rng.randint(3, 6)]}_{rng.randint(0, 99):02d}" for _ in range(HANDLES["count"])]


def _handles_data(block_size: int):
    handles = _handles()
    vocab = Vocab.from_words(handles)
    train_words, dev_words, _ = split_words(handles, seed=42)
    return build_dataset(train_words, block_size, vocab), build_dataset(dev_words, block_size, vocab)


WORDLIST_RECIPE = {  # section 5's recipe, as its training cell writes it
    "config": asdict(ModelConfig(vocab_size=38, block_size=8, embedding_dim=24, hidden_size=256, init="scaled",
                                 output_scale=0.01, dropout=0.1)),
    "steps": 2000, "batch_size": 64, "optimizer": "adamw", "weight_decay": 0.01, "peak": 0.003, "warmup_steps": 100,
    "final_fraction": 0.05}
WORDLIST_SETTINGS = {"handles": HANDLES, "recipe": WORDLIST_RECIPE, "seeds": SEEDS, "eval_every": EVAL_EVERY, "rows": [
    {"label": "peak 0.003, warm-up 100 (section 5)", "change": {}},
    *[{"label": f"peak {peak:g}", "change": {"peak": peak}} for peak in (0.001, 0.002, 0.004, 0.006, 0.01)],
    *[{"label": f"warm-up {w}", "change": {"warmup_steps": w}} for w in (0, 200, 500)],
]}


@study("beyond_wordlist", lesson="09", settings=WORDLIST_SETTINGS,
       spot=_spot_rows("peak 0.003, warm-up 100 (section 5)", _handles_data))
def wordlist(settings: dict) -> dict[str, Any]:
    """Section 5's model on its made-up user names, with other peak rates and warm-ups; every seed."""
    return _rows(settings, _handles_data)


# --- beyond_depth: the final model as a torch.nn.Module, one and two hidden layers --------------------------------

@torch.no_grad()
def scaled_init(module: NeuralLM, seed: int) -> NeuralLM:
    """Draw ModelConfig(init="scaled")'s initialisation into `module`, from a seeded generator in utils.MLP's order.

    With one hidden layer the module then starts from exactly the parameters of MLP(config, seed): C, then each
    hidden layer's weight (N(0, 1) * (5/3) / sqrt(fan_in)) and bias (N(0, 1) * 0.01), then the output layer's
    weight and bias (N(0, 1) * output_scale). Weights are drawn as (fan_in, fan_out), as MLP keeps them.
    """
    g = torch.Generator().manual_seed(seed)
    draw = lambda *shape: torch.randn(shape, generator=g, dtype=torch.float64)  # noqa: E731
    module.embedding.weight.copy_(draw(*module.embedding.weight.shape))
    layers = list(module.hidden)
    weights = [draw(layer.in_features, layer.out_features) for layer in layers[:1]]
    biases = [draw(layers[0].out_features)]
    for layer in layers[1:]:  # utils.MLP draws C, W1, b1, W2, b2: deeper layers come after b1 (none for one layer)
        weights.append(draw(layer.in_features, layer.out_features))
        biases.append(draw(layer.out_features))
    scale = module.config.output_scale
    module.output.weight.copy_(draw(module.output.in_features, module.output.out_features).T * scale)
    module.output.bias.copy_(draw(module.output.out_features) * scale)
    for layer, weight, bias in zip(layers, weights, biases):
        layer.weight.copy_(weight.T * ((5 / 3) / layer.in_features ** 0.5))  # one product, as MLP scales W1
        layer.bias.copy_(bias * 0.01)
    module.dropout_generator.manual_seed(seed + 1)  # as MLP(config, seed) seeds its dropout masks
    return module


DEPTH_SETTINGS = {"recipe": FINAL, "seeds": SEEDS, "eval_every": EVAL_EVERY, "rows": [
    {"label": "2 hidden layers of 512", "hidden_layers": 2, "hidden_size": 512},
    {"label": "2 hidden layers of 250", "hidden_layers": 2, "hidden_size": 250},
]}


def _depth_model(settings: dict, row: dict, seed: int) -> NeuralLM:
    config = ModelConfig(**{**settings["recipe"]["config"], "hidden_size": row["hidden_size"]})
    return scaled_init(NeuralLM(config, hidden_layers=row["hidden_layers"]), seed)


def _spot_depth(settings: dict, results: dict) -> tuple[float, float]:
    """Re-train the first `eval_every` steps of the 2 x 250 model's first seed; its dev loss and the stored one."""
    row, stored = settings["rows"][1], results["rows"][1]["seeds"][0]
    train_set, dev_set = _data(settings["recipe"]["config"]["block_size"])
    again = _train_recipe(_depth_model(settings, row, stored["seed"]), settings["recipe"], stored["seed"],
                          settings["eval_every"], settings["eval_every"], train_set, dev_set, train_loss=False)
    return again["dev"], stored["dev_curve"][0]


@study("beyond_depth", lesson="09", settings=DEPTH_SETTINGS, spot=_spot_depth)
def depth(settings: dict) -> dict[str, Any]:
    """NeuralLM with two hidden layers, trained with the final recipe; every seed."""
    recipe = settings["recipe"]
    train_set, dev_set = _data(recipe["config"]["block_size"])
    rows = []
    for row in settings["rows"]:
        runs = [_train_recipe(_depth_model(settings, row, seed), recipe, seed, recipe["steps"], settings["eval_every"],
                              train_set, dev_set) for seed in settings["seeds"]]
        size = sum(p.numel() for p in _depth_model(settings, row, 0).parameters())
        rows.append({"label": row["label"], "parameters": size, "seeds": runs})
    return {"rows": rows}
