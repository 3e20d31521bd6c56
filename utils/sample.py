"""Sampling names from a trained model, scoring names, and checking what the samples memorised."""

from __future__ import annotations

import math
import operator
from typing import TYPE_CHECKING, Sequence

import torch
import torch.nn.functional as F

from .data import Vocab, context_windows

if TYPE_CHECKING:
    from .model import MLP

CUT_MARKER = "…"  # ends a sample that was still going at max_length characters


def default_max_length(vocab: Vocab) -> int:
    """Return sample's default length limit: twice the longest word the vocabulary was built from, and at least 30."""
    return max(30, 2 * vocab.max_word_length)


def _whole_number(name: str, value: object, low: int) -> int:
    """Return `value` as an int if it is a whole number (not a bool) of at least `low`; raise ValueError otherwise."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be a whole number, got {value!r}.") from None
    if number < low:
        raise ValueError(f"{name} must be at least {low}, got {number}.")
    return number


def _positive_number(name: str, value: object) -> float:
    """Return `value` as a float if it is a finite number above 0; raise ValueError otherwise."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}.") from None
    if isinstance(value, bool) or not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    return number


@torch.no_grad()
def _check_model_fits(model: MLP, vocab: Vocab) -> None:
    """Raise a clear ValueError when the model's outputs are not the vocabulary's characters, one for one."""
    vocab_size = getattr(getattr(model, "config", None), "vocab_size", None)
    if vocab_size is not None and vocab_size != len(vocab):
        raise ValueError(f"The model predicts {vocab_size} characters but the vocabulary has {len(vocab)}: its "
                         f"outputs would be read as the wrong characters. Build the model for this vocabulary, "
                         f"with ModelConfig(vocab_size=len(vocab), ...).")


@torch.no_grad()  # sampling needs no gradients
def sample(model: MLP, vocab: Vocab, n: int = 1, *, generator: torch.Generator, temperature: float = 1.0,
           top_k: int | None = None, prefix: str = "", max_length: int | None = None,
           cut_marker: str = CUT_MARKER) -> list[str]:
    """Draw `n` words one character at a time, each starting with `prefix`, until the boundary. Taught in lesson 08.

    The logits are divided by `temperature`; with `top_k`, only the `top_k` most likely next characters can be
    drawn (the others get logit -inf, as in makemore's generate; ties with the k-th are kept), None: all of them.
    A word that has not ended after `max_length` characters (default: default_max_length(vocab), 30 for
    names.txt) is cut there and ends with `cut_marker` ('…'), so it never passes for a finished word;
    cut_marker='' cuts silently. A word that ends is returned without a marker.
    """
    _check_model_fits(model, vocab)
    n = _whole_number("n", n, 0)
    temperature = _positive_number("temperature", temperature)
    if top_k is not None:
        top_k = _whole_number("top_k", top_k, 1)
        if top_k > len(vocab):
            raise ValueError(f"top_k must be at most the vocabulary size ({len(vocab)}), got {top_k}.")
    start = vocab.encode(prefix)  # raises a clear error for characters outside the vocabulary
    max_length = default_max_length(vocab) if max_length is None else _whole_number("max_length", max_length, 1)
    if len(start) >= max_length:
        raise ValueError(f"The prefix has {len(start)} characters; max_length ({max_length}) must be larger.")
    if cut_marker and all(ch in vocab.stoi for ch in cut_marker):
        raise ValueError(f"The cut marker {cut_marker!r} is made of vocabulary characters, so a cut word would look "
                         f"finished; pass cut_marker= a string with another character.")
    block_size = model.config.block_size
    words = []
    for _ in range(n):
        context = ([0] * block_size + start)[-block_size:]
        out = list(start)
        ended = False
        while len(out) < max_length:
            logits = model(torch.tensor([context])) / temperature  # (1, V)
            if top_k is not None:
                kth_largest = torch.topk(logits, top_k, dim=1).values[:, [-1]]  # (1, 1)
                logits = logits.masked_fill(logits < kth_largest, -math.inf)  # (1, V) all but the top k: -inf
            probs = F.softmax(logits, dim=1)  # (1, V)
            ix = torch.multinomial(probs, num_samples=1, generator=generator).item()
            if ix == 0:
                ended = True
                break
            out.append(ix)
            context = context[1:] + [ix]
        words.append(vocab.decode(out) + ("" if ended else cut_marker))
    return words


@torch.no_grad()
def log_likelihood(model: MLP, vocab: Vocab, word: str) -> float:
    """Return log p(word): the sum of the log-probabilities of its characters and of its end. Taught in lesson 08."""
    _check_model_fits(model, vocab)
    pairs = context_windows(word, model.config.block_size, vocab)
    X = torch.tensor([context for context, _ in pairs])  # (len+1, block_size)
    Y = torch.tensor([ix for _, ix in pairs])  # (len+1,)
    log_probs = F.log_softmax(model(X), dim=1)  # (len+1, V)
    return log_probs[torch.arange(len(Y)), Y].sum().item()


def sort_samples(samples: Sequence[str], train_words: Sequence[str],
                 heldout_words: Sequence[str]) -> dict[str, list[str]]:
    """Sort samples into training words, held-out (dev/test) words only, and new ones, in order (lesson 08).

    A sample cut at max_length (ending with the cut marker) is never a word of the data, so it counts as new.
    """
    train, heldout = set(train_words), set(heldout_words)
    groups = {"train": [], "held-out": [], "new": []}
    for s in samples:
        groups["train" if s in train else "held-out" if s in heldout else "new"].append(s)
    return groups


def memorisation(samples: Sequence[str], train_words: Sequence[str],
                 heldout_words: Sequence[str]) -> dict[str, float]:
    """Return the shares of samples that are training words, held-out (dev/test) words only, or new (lesson 08)."""
    if not samples:
        raise ValueError("No samples to classify.")
    return {group: len(members) / len(samples)
            for group, members in sort_samples(samples, train_words, heldout_words).items()}
