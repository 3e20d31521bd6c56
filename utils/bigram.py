"""The baseline to beat, taught in lesson 04: a bigram model built by counting, and its loss."""

from __future__ import annotations

from typing import Sequence

import torch

from .data import Vocab


def bigram_counts(words: Sequence[str], vocab: Vocab) -> torch.Tensor:
    """Return N (V, V): N[a, b] counts how often character b follows character a (with '.' boundaries). Lesson 04."""
    V = len(vocab)
    a, b = _bigram_pairs(words, vocab)
    return torch.bincount(a * V + b, minlength=V * V).view(V, V)


def _bigram_pairs(words: Sequence[str], vocab: Vocab) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the (previous, next) index pairs of all words, boundaries included, as two tensors."""
    first, second = [], []
    for word in words:
        ids = [0] + vocab.encode(word) + [0]
        first += ids[:-1]
        second += ids[1:]
    return torch.tensor(first, dtype=torch.int64), torch.tensor(second, dtype=torch.int64)


def bigram_loss(train_words: Sequence[str], eval_words: Sequence[str], vocab: Vocab,
                smoothing: float = 1.0) -> float:
    """Return the mean negative log-likelihood of `eval_words` under bigram counts of `train_words` (+ smoothing).

    The baseline of lesson 04.
    """
    counts = bigram_counts(train_words, vocab).double() + smoothing  # (V, V)
    P = counts / counts.sum(dim=1, keepdim=True)  # (V, V) each row a distribution
    a, b = _bigram_pairs(eval_words, vocab)
    return -P[a, b].log().mean().item()
