"""Saving a trained model with its vocabulary and settings, and loading it back safely."""

from __future__ import annotations

import datetime
import os
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path, PurePath
from typing import Any

import torch

from .data import Vocab, new_temp_file
from .model import MLP, ModelConfig

FORMAT = "makemore-mlp checkpoint v1"
CHECKPOINTS_DIR = Path(__file__).resolve().parent.parent / "checkpoints"  # the course's checkpoints/ (never committed)


class CheckpointError(ValueError):
    """A checkpoint is missing, unreadable, or does not match the model or vocabulary it is used with."""


def as_storable(value: Any, name: str = "extra") -> Any:
    """Return `value` in a form load_checkpoint can read back, or raise CheckpointError naming what cannot be.

    Kept as they are: None, bool, int, float, str, tensors, torch dtypes, devices and sizes, and lists, tuples
    and dicts (with str or int keys) of these. Converted: a dataclass (History, ModelConfig) to a dict of its fields, a numpy scalar to a Python
    number, a path to a str, a datetime, date or time to its ISO 8601 str. Anything else is refused. Used by
    save_checkpoint (lesson 08).
    """
    if type(value) in (type(None), bool, int, float, str):  # exact types: np.float64 or an IntEnum would not load
        return value
    if isinstance(value, (torch.dtype, torch.device, torch.Size)):  # settings such as a model's dtype
        return value
    if isinstance(value, torch.Tensor):
        return value.detach()
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return as_storable(value.item(), name)  # np.float64(2.1) -> 2.1
    if isinstance(value, (list, tuple)):
        items = [as_storable(v, f"{name}[{i}]") for i, v in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        for key in value:
            if type(key) not in (str, int):
                raise CheckpointError(f"{name} has a key {key!r} of type {type(key).__name__}; "
                                      f"a checkpoint stores dicts with str or int keys only.")
        return {key: as_storable(v, f"{name}[{key!r}]") for key, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return as_storable({f.name: getattr(value, f.name) for f in fields(value)}, name)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    raise CheckpointError(
        f"{name} is a {type(value).__module__}.{type(value).__qualname__}, which a checkpoint cannot store: "
        f"load_checkpoint (torch.load with weights_only=True) reads only dict, list, tuple, str, int, float, bool, "
        f"None and tensors. "
        f"Convert it first, e.g. with .tolist(), str() or a dict.")


def save_checkpoint(path: str | Path, model: MLP, vocab: Vocab, extra: dict[str, Any] | None = None) -> Path:
    """Write the model's parameters, settings, vocabulary and `extra` (see as_storable) to `path`. Taught in lesson 08.

    The file is written beside `path`, read back as load_checkpoint reads it, and only then renamed into place:
    a checkpoint that saves always loads, and a failed save leaves any earlier file at `path` as it was.
    """
    path = Path(path)
    if len(vocab) != model.config.vocab_size:
        raise CheckpointError(f"The vocabulary has {len(vocab)} characters but the model expects "
                              f"{model.config.vocab_size}.")
    if extra is not None and not isinstance(extra, dict):
        raise CheckpointError(f"extra must be a dict, got {type(extra).__name__}.")
    payload = {"format": FORMAT, "config": as_storable(asdict(model.config), "config"), "vocab": list(vocab.itos),
               "max_word_length": vocab.max_word_length, "state": model.state_dict(),
               "extra": as_storable(dict(extra or {}))}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = new_temp_file(path)  # the usual mode of a new file, not mkstemp's owner-only 0600
    os.close(fd)
    try:
        torch.save(payload, tmp)
        try:
            torch.load(tmp, weights_only=True)
        except Exception as exc:  # as_storable should make this impossible; never leave a file that cannot load
            raise CheckpointError(f"The checkpoint could not be read back ({type(exc).__name__}), "
                                  f"so {path} was not written.") from None
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _vocab_text(vocab: Vocab, limit: int = 60) -> str:
    """The vocabulary as one quoted string, shortened when long."""
    text = "".join(vocab.itos)
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


def _parse(payload: Any, path: Path) -> tuple[ModelConfig, Vocab, dict[str, torch.Tensor], dict[str, Any]]:
    """Check a loaded payload's parts and return (config, vocab, state, extra); raise CheckpointError if malformed."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} was not written by save_checkpoint (no '{FORMAT}' marker).")
    missing = [key for key in ("config", "vocab", "state") if key not in payload]
    if missing:
        raise CheckpointError(f"{path} is malformed: it has no {', '.join(map(repr, missing))}. Save it again.")
    settings, itos, state = payload["config"], payload["vocab"], payload["state"]
    extra, max_word_length = payload.get("extra", {}), payload.get("max_word_length", 0)
    if not (isinstance(settings, dict) and all(isinstance(k, str) for k in settings)):
        raise CheckpointError(f"{path} is malformed: its 'config' is not a dict of settings. Save it again.")
    known = {f.name for f in fields(ModelConfig)}
    if not set(settings) <= known:
        raise CheckpointError(f"{path} has settings this version does not know: {sorted(set(settings) - known)}.")
    if not (isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values())):
        raise CheckpointError(f"{path} is malformed: its 'state' is not a dict of tensors. Save it again.")
    if not isinstance(extra, dict) or not isinstance(max_word_length, int) or isinstance(max_word_length, bool):
        raise CheckpointError(f"{path} is malformed: its 'extra' or 'max_word_length' has the wrong type. "
                              f"Save it again.")
    if not isinstance(itos, (list, tuple)):
        raise CheckpointError(f"{path} is malformed: its 'vocab' is not a list of characters. Save it again.")
    try:
        config = ModelConfig(**settings)
        vocab = Vocab(tuple(itos), max_word_length=max_word_length)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{path} is malformed: {exc}") from None
    return config, vocab, state, extra


def load_checkpoint(path: str | Path, vocab: Vocab | None = None) -> tuple[MLP, Vocab, dict[str, Any]]:
    """Load (model, vocab, extra) from `path` with weights_only=True; a given `vocab` must match. Taught in lesson 08."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"No checkpoint at {path}. Train a model and save it with save_checkpoint first.")
    try:
        payload = torch.load(path, weights_only=True)
    except Exception as exc:  # truncated, corrupted, or not a torch file at all
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(exc).__name__}); "
                              f"it may be truncated or corrupted. Save it again.") from None
    config, saved_vocab, state, extra = _parse(payload, path)
    if len(saved_vocab) != config.vocab_size:
        raise CheckpointError(f"{path} is inconsistent: {len(saved_vocab)} characters "
                              f"but vocab_size {config.vocab_size}.")
    if vocab is not None and vocab.itos != saved_vocab.itos:
        raise CheckpointError(
            f"The checkpoint's vocabulary {_vocab_text(saved_vocab)} differs from this data's "
            f"{_vocab_text(vocab)}: the model was trained on another word list.")
    try:
        model = MLP(config)
    except (TypeError, ValueError, RuntimeError) as exc:  # a setting of the wrong type, e.g. a str for a size
        raise CheckpointError(f"{path} is malformed: {exc}") from None
    try:
        model.load_state_dict(state)
    except (ValueError, TypeError, RuntimeError) as exc:
        raise CheckpointError(f"{path} does not fit its own settings: {exc}") from None
    return model, saved_vocab, extra
