"""Saving a trained model with its vocabulary and settings, and loading it back safely."""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import torch

from .data import Vocab
from .model import MLP, ModelConfig

FORMAT = "makemore-mlp checkpoint v1"


class CheckpointError(ValueError):
    """A checkpoint is missing, unreadable, or does not match the model or vocabulary it is used with."""


def save_checkpoint(path: str | Path, model: MLP, vocab: Vocab, extra: dict[str, Any] | None = None) -> Path:
    """Write the model's parameters, settings and vocabulary to `path` atomically (temporary file + rename)."""
    path = Path(path)
    if len(vocab) != model.config.vocab_size:
        raise CheckpointError(f"The vocabulary has {len(vocab)} characters but the model expects {model.config.vocab_size}.")
    payload = {"format": FORMAT, "config": asdict(model.config), "vocab": list(vocab.itos),
               "state": model.state_dict(), "extra": dict(extra or {})}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        torch.save(payload, tmp_name)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return path


def load_checkpoint(path: str | Path, vocab: Vocab | None = None) -> tuple[MLP, Vocab, dict[str, Any]]:
    """Load (model, vocab, extra) from `path` with weights_only=True; if `vocab` is given it must match."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"No checkpoint at {path}. Train a model and save it with save_checkpoint first.")
    try:
        payload = torch.load(path, weights_only=True)
    except Exception as exc:  # truncated, corrupted, or not a torch file at all
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(exc).__name__}); "
                              f"it may be truncated or corrupted. Save it again.") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} was not written by save_checkpoint (no '{FORMAT}' marker).")
    known = {f.name for f in fields(ModelConfig)}
    settings = payload["config"]
    if not set(settings) <= known:
        raise CheckpointError(f"{path} has settings this version does not know: {sorted(set(settings) - known)}.")
    config = ModelConfig(**settings)
    saved_vocab = Vocab(tuple(payload["vocab"]))
    if len(saved_vocab) != config.vocab_size:
        raise CheckpointError(f"{path} is inconsistent: {len(saved_vocab)} characters but vocab_size {config.vocab_size}.")
    if vocab is not None and vocab.itos != saved_vocab.itos:
        raise CheckpointError(
            f"The checkpoint's vocabulary {''.join(saved_vocab.itos)!r} differs from this data's "
            f"{''.join(vocab.itos)!r}: the model was trained on another word list.")
    model = MLP(config)
    try:
        model.load_state_dict(payload["state"])
    except ValueError as exc:
        raise CheckpointError(f"{path} does not fit its own settings: {exc}") from None
    return model, saved_vocab, payload.get("extra", {})
