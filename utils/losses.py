"""Softmax and cross-entropy written out by hand, in the numerically stable form."""

from __future__ import annotations

import torch


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """Return softmax over the last dimension, subtracting each row's maximum first so exp cannot overflow. Lesson 03."""
    shifted = logits - logits.max(dim=-1, keepdim=True).values  # (B, V), every row's max is 0
    counts = shifted.exp()  # (B, V), each in (0, 1]
    return counts / counts.sum(dim=-1, keepdim=True)  # (B, V), rows sum to 1


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Return the mean negative log-likelihood of `targets` (B,) under softmax(`logits`) (B, V). Lesson 03."""
    if logits.dim() != 2 or targets.shape != logits.shape[:1]:
        raise ValueError(f"logits must be (B, V) and targets (B,); got {tuple(logits.shape)} and {tuple(targets.shape)}.")
    shifted = logits - logits.max(dim=1, keepdim=True).values  # (B, V)
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()  # (B, V) log-softmax
    return -log_probs[torch.arange(len(targets)), targets].mean()
