"""Sampling names from a trained model, scoring names, and checking what the samples memorised."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F

from .data import Vocab


@torch.no_grad()
def sample(model, vocab: Vocab, n: int = 1, *, generator: torch.Generator, temperature: float = 1.0,
           prefix: str = "", max_length: int = 30) -> list[str]:
    """Draw `n` words one character at a time, each starting with `prefix`, stopping at '.' or `max_length` characters."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}.")
    block_size = model.config.block_size
    start = vocab.encode(prefix)  # raises a clear error for characters outside the vocabulary
    words = []
    for _ in range(n):
        context = ([0] * block_size + start)[-block_size:]
        out = list(start)
        while len(out) < max_length:
            logits = model(torch.tensor([context]))  # (1, V)
            probs = F.softmax(logits / temperature, dim=1)  # (1, V)
            ix = torch.multinomial(probs, num_samples=1, generator=generator).item()
            if ix == 0:
                break
            out.append(ix)
            context = context[1:] + [ix]
        words.append(vocab.decode(out))
    return words


@torch.no_grad()
def log_likelihood(model, vocab: Vocab, word: str) -> float:
    """Return log p(word) under the model: the sum of the log-probabilities of its characters and its end."""
    block_size = model.config.block_size
    ids = vocab.encode(word) + [0]
    contexts, context = [], [0] * block_size
    for ix in ids:
        contexts.append(context)
        context = context[1:] + [ix]
    log_probs = F.log_softmax(model(torch.tensor(contexts)), dim=1)  # (len+1, V)
    return log_probs[torch.arange(len(ids)), torch.tensor(ids)].sum().item()


def memorisation(samples: Sequence[str], train_words: Sequence[str],
                 heldout_words: Sequence[str]) -> dict[str, float]:
    """Return the shares of samples that are training words, held-out (dev/test) words only, or new."""
    if not samples:
        raise ValueError("No samples to classify.")
    train, heldout = set(train_words), set(heldout_words)
    n_train = sum(s in train for s in samples)
    n_heldout = sum(s in heldout and s not in train for s in samples)
    n = len(samples)
    return {"train": n_train / n, "held-out": n_heldout / n, "new": (n - n_train - n_heldout) / n}
