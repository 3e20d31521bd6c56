"""Lesson 07's study: which features of the trained embeddings come back when the seed changes.

- `embedding_seeds`: the lesson's two models (embedding 2 or 10, hidden 200, 20,000 steps at rate 0.1, then 0.01
  for the last 5,000), the 2-D one with 3 seeds and the 10-D one with 4.

A seed sets both the initial parameters (`MLP(config, seed)`) and the order of the minibatches (`train(..., seed)`);
the first seed of each list is the lesson's (LECTURE_SEED), so that run is the lesson's own run. Each run stores what
the lesson says about its own run, measured as the lesson measures it (sections 1 and 3): for 2-D, the vowel
distance ratio and every character's distance from the centre of the letters; for 10-D, the clustered order of the
cosine similarities, the group the vowels form, and the nearest neighbours of the vowels. Each run also records its
dev loss every 1,000 steps, so `spot` can re-train the first 1,000 steps of one run.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from bench.studies import lesson_split, step_decay, study
from utils import MLP, ModelConfig, Vocab, train
from utils.model import LECTURE_SEED

VOWELS = "aeiou"

SETTINGS = {"runs": [{"label": "embedding 2", "embedding_dim": 2, "seeds": [LECTURE_SEED, 1, 2]},
                     {"label": "embedding 10", "embedding_dim": 10, "seeds": [LECTURE_SEED, 1, 2, 3]}],
            "hidden_size": 200, "steps": 20_000, "lr": [0.1, 0.01], "decay_at": 15_000, "batch_size": 32,
            "eval_every": 1000}


def _train(settings: dict, embedding_dim: int, seed: int, steps: int, train_set, dev_set):
    """A fresh model trained as the lesson trains it; return it and its History."""
    model = MLP(ModelConfig(embedding_dim=embedding_dim, hidden_size=settings["hidden_size"]), seed=seed)
    history = train(model, *train_set, steps=steps, lr=step_decay(settings["steps"], settings["lr"], settings["decay_at"]),
                    batch_size=settings["batch_size"], seed=seed, eval_every=settings["eval_every"],
                    eval_sets={"dev": dev_set}, progress=False)
    return model, history


# --- the lesson's measures (section 1: cells 08 and 09; section 3: cells 16, 16c and 18) --------------------------

def _mean_distance(C: torch.Tensor, a: list[int], b: list[int]) -> float:
    """The average Euclidean distance between the rows a and the rows b of C (pairs of distinct rows)."""
    d = torch.cdist(C[a], C[b])  # (len(a), len(b))
    return d.sum().item() / (len(a) * (len(a) - 1)) if a == b else d.mean().item()


def _measure_2d(C: torch.Tensor, vocab: Vocab) -> dict[str, Any]:
    vowels = [vocab.stoi[c] for c in VOWELS]
    consonants = [i for i in range(1, len(vocab.itos)) if vocab.itos[i] not in VOWELS]
    within, across = _mean_distance(C, vowels, vowels), _mean_distance(C, vowels, consonants)
    from_centre = (C - C[1:].mean(dim=0)).norm(dim=1)  # (27,) from the centre of the 26 letters
    order = from_centre.argsort(descending=True).tolist()
    return {"vowel_vowel": within, "vowel_consonant": across, "ratio": within / across,
            "from_centre": [[vocab.itos[i], from_centre[i].item()] for i in order]}  # farthest first


def _cosine_matrix(C: torch.Tensor) -> torch.Tensor:
    unit = F.normalize(C - C.mean(dim=0), dim=1)  # centred, every row scaled to length 1
    return unit @ unit.T  # (27, 27)


def _clustering(sim: torch.Tensor) -> tuple[list[int], list[tuple[list[int], float]]]:
    """Average-linkage clustering as the lesson's cluster_order; return the order and every merge (group, link)."""
    groups = [[i] for i in range(len(sim))]
    link = sim.clone().fill_diagonal_(-float("inf"))
    merges = []
    while len(groups) > 1:
        a, b = sorted(divmod(link.argmax().item(), len(groups)))
        merges.append((groups[a] + groups[b], link[a, b].item()))
        size_a, size_b = len(groups[a]), len(groups[b])
        joined = (size_a * link[a] + size_b * link[b]) / (size_a + size_b)
        link[a], link[:, a] = joined, joined
        link[a, a] = -float("inf")
        keep = [k for k in range(len(groups)) if k != b]
        link = link[keep][:, keep]
        groups[a] = groups[a] + groups.pop(b)
    return groups[0], merges


def _nearest(sim: torch.Tensor, i: int, vocab: Vocab, k: int = 3) -> list[list]:
    row = sim[i].clone()
    row[i] = -2.0  # not the character itself
    top = row.topk(k)
    return [[vocab.itos[j], v] for v, j in zip(top.values.tolist(), top.indices.tolist())]


def _measure_10d(C: torch.Tensor, vocab: Vocab) -> dict[str, Any]:
    sim = _cosine_matrix(C)
    order, merges = _clustering(sim)
    # the vowel group: the largest group the clustering makes of vowels alone, before any other character joins it
    group, link = max(((g, v) for g, v in merges if all(vocab.itos[i] in VOWELS for i in g)), key=lambda m: len(m[0]))
    return {"order": "".join(vocab.itos[i] for i in order),
            "vowel_group": "".join(vocab.itos[i] for i in group), "vowel_group_link": link,
            "nearest": {ch: _nearest(sim, vocab.stoi[ch], vocab) for ch in VOWELS + "y"}}


def _spot(settings: dict, results: dict) -> tuple[float, float]:
    """Re-train the first 1,000 steps of the first 2-D run; return its dev loss then and the stored one."""
    stored = results["runs"][0]["seeds"][0]
    vocab, train_set, dev_set = lesson_split()
    _, history = _train(settings, settings["runs"][0]["embedding_dim"], stored["seed"], settings["eval_every"],
                        train_set, dev_set)
    return history.last("dev"), stored["dev_curve"][0]


@study("embedding_seeds", lesson="07", settings=SETTINGS, spot=_spot)
def embedding_seeds(settings: dict) -> dict[str, Any]:
    """The lesson's 2-D and 10-D models with every seed, measured as the lesson measures them."""
    vocab, train_set, dev_set = lesson_split()
    runs = []
    for run in settings["runs"]:
        measure = _measure_2d if run["embedding_dim"] == 2 else _measure_10d
        seeds = []
        for seed in run["seeds"]:
            model, history = _train(settings, run["embedding_dim"], seed, settings["steps"], train_set, dev_set)
            seeds.append({"seed": seed, "dev": history.last("dev"), "dev_curve": history.eval_losses["dev"],
                          **measure(model.C.detach(), vocab)})
        runs.append({"label": run["label"], "seeds": seeds})
    return {"runs": runs}
