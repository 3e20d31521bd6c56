"""Tests of what save_checkpoint accepts in `extra`, of malformed checkpoints, and of the saved file's mode."""

import datetime
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import torch

from utils import MLP, CheckpointError, History, ModelConfig, Vocab, as_storable, load_checkpoint, save_checkpoint

WORDS = ["emma", "olivia", "ava"]


@pytest.fixture
def model_and_vocab():
    vocab = Vocab.from_words(WORDS)
    return MLP(ModelConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=8)), vocab


# ----------------------------------------------------------------------------
# extra: converted or refused at save time, never a file that does not load

def test_extra_with_a_history_numpy_scalars_a_path_a_datetime_and_a_config_saves_and_loads(tmp_path, model_and_vocab):
    model, vocab = model_and_vocab
    history = History(steps=[0, 1], losses=[3.3, 3.1], lrs=[0.1, 0.1], eval_steps=[1], eval_losses={"dev": [3.2]})
    extra = {"history": history, "dev_loss": np.float64(2.17), "steps": np.int64(100), "words": Path("data/names.txt"),
             "when": datetime.datetime(2024, 5, 1, 12, 30), "config": model.config, "curve": torch.ones(3),
             "tags": ("a", 1)}
    path = save_checkpoint(tmp_path / "model.pt", model, vocab, extra=extra)
    _, _, loaded = load_checkpoint(path)
    assert loaded["history"] == asdict(history) and loaded["config"] == asdict(model.config)
    assert loaded["dev_loss"] == 2.17 and type(loaded["dev_loss"]) is float
    assert loaded["steps"] == 100 and type(loaded["steps"]) is int
    assert loaded["words"] == str(Path("data/names.txt")) and loaded["when"] == "2024-05-01T12:30:00"
    assert torch.equal(loaded["curve"], torch.ones(3)) and loaded["tags"] == ("a", 1)


@pytest.mark.parametrize("value, type_name", [(object(), "builtins.object"), ({1, 2}, "builtins.set"),
                                              (np.zeros(3), "numpy.ndarray"), (lambda: 0, "builtins.function")])
def test_extra_that_a_checkpoint_cannot_store_is_refused_naming_the_key_and_type(tmp_path, model_and_vocab,
                                                                                   value, type_name):
    model, vocab = model_and_vocab
    with pytest.raises(CheckpointError) as info:
        save_checkpoint(tmp_path / "model.pt", model, vocab, extra={"run": {"bad": value}})
    message = str(info.value)
    assert "extra['run']['bad']" in message and type_name in message
    assert "cannot store" in message and "Convert it" in message
    assert list(tmp_path.iterdir()) == []


def test_extra_keys_must_be_str_or_int(tmp_path, model_and_vocab):
    model, vocab = model_and_vocab
    with pytest.raises(CheckpointError, match=r"key \(1, 2\) of type tuple"):
        save_checkpoint(tmp_path / "model.pt", model, vocab, extra={(1, 2): "pair"})
    with pytest.raises(CheckpointError, match="extra must be a dict"):
        save_checkpoint(tmp_path / "model.pt", model, vocab, extra=[1, 2])


def test_as_storable_keeps_plain_values_and_converts_the_rest():
    assert as_storable({"a": [1, 2.5, "x", None, True]}) == {"a": [1, 2.5, "x", None, True]}
    assert as_storable(np.float32(0.5)) == 0.5 and as_storable(datetime.date(2024, 1, 2)) == "2024-01-02"
    assert as_storable({"dtype": torch.float64}) == {"dtype": torch.float64}  # a model setting, loadable as it is
    with pytest.raises(CheckpointError, match="key True of type bool"):
        as_storable({True: 1})


def test_a_failed_save_keeps_the_earlier_checkpoint(tmp_path, model_and_vocab):
    model, vocab = model_and_vocab
    path = save_checkpoint(tmp_path / "model.pt", model, vocab, extra={"run": 1})
    before = path.read_bytes()
    with pytest.raises(CheckpointError):
        save_checkpoint(path, model, vocab, extra={"run": object()})
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["model.pt"]


# ----------------------------------------------------------------------------
# malformed payloads are CheckpointErrors

def damaged(path: Path, change) -> Path:
    """Load a saved checkpoint's payload, change it, and write it back."""
    payload = torch.load(path, weights_only=True)
    change(payload)
    torch.save(payload, path)
    return path


@pytest.mark.parametrize("change, message", [
    (lambda p: p.pop("state"), "no 'state'"),
    (lambda p: p.pop("config"), "no 'config'"),
    (lambda p: p.pop("vocab"), "no 'vocab'"),
    (lambda p: p.update(config=[1, 2]), "'config' is not a dict"),
    (lambda p: p.update(state=[1, 2]), "'state' is not a dict of tensors"),
    (lambda p: p["state"].update(W1=[[0.0]]), "'state' is not a dict of tensors"),
    (lambda p: p.update(vocab="abc"), "'vocab' is not a list"),
    (lambda p: p.update(vocab=[".", "ab"]), "single characters"),
    (lambda p: p.update(vocab=[".", "a", "a"]), "twice"),
    (lambda p: p.update(extra=[1]), "'extra'"),
    (lambda p: p.update(max_word_length=-3), "max_word_length"),
    (lambda p: p["config"].update(hidden_size="8"), "malformed"),
    (lambda p: p["config"].update(embedding_dim=4.5), "malformed"),
    (lambda p: p["config"].update(hidden_size=0), "hidden_size must be at least 1"),
    (lambda p: p["state"].pop("W1"), "Parameter names differ"),
])
def test_a_malformed_checkpoint_is_a_checkpoint_error(tmp_path, model_and_vocab, change, message):
    model, vocab = model_and_vocab
    path = damaged(save_checkpoint(tmp_path / "model.pt", model, vocab), change)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


def test_a_checkpoint_without_extra_or_longest_word_still_loads(tmp_path, model_and_vocab):
    model, vocab = model_and_vocab
    path = damaged(save_checkpoint(tmp_path / "model.pt", model, vocab),
                   lambda p: (p.pop("extra"), p.pop("max_word_length")))
    _, loaded_vocab, extra = load_checkpoint(path)
    assert extra == {} and loaded_vocab == vocab and loaded_vocab.max_word_length == 0


def test_another_boundary_and_the_longest_word_survive_a_checkpoint(tmp_path):
    vocab = Vocab.from_words(["st. albert", "reddit.com"], boundary="|")
    model = MLP(ModelConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=8))
    _, loaded, _ = load_checkpoint(save_checkpoint(tmp_path / "model.pt", model, vocab), vocab)
    assert loaded.boundary == "|" and loaded.max_word_length == 10


def test_a_long_vocabulary_is_shortened_in_the_mismatch_message(tmp_path):
    words = ["".join(chr(0x100 + i) for i in range(200))]
    vocab = Vocab.from_words(words)
    model = MLP(ModelConfig(vocab_size=len(vocab), embedding_dim=2, hidden_size=4))
    path = save_checkpoint(tmp_path / "model.pt", model, vocab)
    with pytest.raises(CheckpointError, match="201 characters") as info:
        load_checkpoint(path, Vocab.from_words(["ab"]))
    assert len(str(info.value)) < 300


# ----------------------------------------------------------------------------
# file mode

@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_checkpoint_gets_the_usual_mode_of_a_new_file(tmp_path, model_and_vocab):
    model, vocab = model_and_vocab
    old = os.umask(0o027)
    try:
        path = save_checkpoint(tmp_path / "model.pt", model, vocab)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640  # 0o666 & ~umask, not mkstemp's 0o600
