"""Training throughput: the utils training helper against the plain loop the lecture writes inline.

The plain loop runs twice, in float32 (as the lecture runs it) and in float64 (as the course runs it), so
the table shows what float64 costs; the helper runs in float64. All train the same model (block 3,
embedding 10, hidden 200) on the same data for the same number of steps in one process, one thread; each
is repeated several times, alternating, and the medians are compared.
"""

from __future__ import annotations

import statistics
import time

import torch
import torch.nn.functional as F

from utils import LECTURE_SEED, MLP, ModelConfig, Vocab, build_dataset, load_words, train


def plain_loop(model: MLP, X: torch.Tensor, Y: torch.Tensor, steps: int, lr: float = 0.1, seed: int = LECTURE_SEED) -> float:
    """The lecture's loop, written inline: minibatch, forward, backward, p.data += -lr * p.grad."""
    g = torch.Generator().manual_seed(seed)
    params = model.parameters()
    for _ in range(steps):
        ix = torch.randint(0, X.shape[0], (32,), generator=g)
        emb = model.C[X[ix]]  # (32, 3, 10)
        h = torch.tanh(emb.view(-1, 30) @ model.W1 + model.b1)  # (32, 200)
        logits = h @ model.W2 + model.b2  # (32, 27)
        loss = F.cross_entropy(logits, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data += -lr * p.grad
    return loss.item()


def model_in(dtype: torch.dtype, config: ModelConfig) -> MLP:
    """A fresh MLP whose parameters are converted to `dtype`."""
    model = MLP(config)
    for name in ("C", "W1", "b1", "W2", "b2"):
        setattr(model, name, getattr(model, name).detach().to(dtype).requires_grad_(True))
    return model


def measure(steps: int = 5000, repeats: int = 5) -> dict[str, float]:
    """Return the median steps per second of each loop, and their ratios."""
    torch.set_num_threads(1)
    words = load_words()
    X, Y = build_dataset(words, 3, Vocab.from_words(words))
    config = ModelConfig(output_scale=0.01)
    timings: dict[str, list[float]] = {"plain loop, float32": [], "plain loop, float64": [], "utils.train, float64": []}
    for _ in range(repeats):
        for name in timings:
            model = model_in(torch.float32 if "float32" in name else torch.float64, config)
            start = time.perf_counter()
            if name.startswith("plain"):
                plain_loop(model, X, Y, steps)
            else:
                train(model, X, Y, steps=steps, lr=0.1, progress=False)
            timings[name].append(time.perf_counter() - start)
    result = {f"{name} steps/s": steps / statistics.median(t) for name, t in timings.items()}
    result["time per step, float64 / float32"] = result["plain loop, float32 steps/s"] / result["plain loop, float64 steps/s"]
    result["time per step, utils.train / plain loop (float64)"] = (result["plain loop, float64 steps/s"]
                                                                    / result["utils.train, float64 steps/s"])
    return result


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key:>50}: {value:,.2f}")
