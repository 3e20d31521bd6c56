"""Tests of the learning-rate finder and of saving and loading checkpoints."""

import pytest
import torch

from utils import (MLP, CheckpointError, ModelConfig, Vocab, find_lr, load_checkpoint,
                   save_checkpoint)

def small_model(vocab, **kw):
    return MLP(ModelConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=16, output_scale=0.1, **kw))


# ----------------------------------------------------------------------------
# learning-rate finder

def test_lr_sweep_covers_the_exponential_range_and_suggests_a_rate_inside_it(data):
    vocab, X, Y = data
    sweep = find_lr(small_model(vocab), X, Y, low=-3, high=0, steps=200, window=20)
    assert sweep.lrs[0] == pytest.approx(1e-3) and sweep.lrs[-1] == pytest.approx(1.0)
    assert len(sweep.exponents) == 200 and len(sweep.smoothed) == len(sweep.losses) - 19
    assert 1e-3 <= sweep.suggested <= 1.0


def test_lr_sweep_stops_early_when_the_loss_explodes(data):
    vocab, X, Y = data
    sweep = find_lr(small_model(vocab), X, Y, low=-1, high=4, steps=300, window=10)
    assert sweep.stopped_early and len(sweep.losses) < 300
    assert sweep.suggested < 10 ** 4


def test_lr_sweep_rejects_bad_ranges(data):
    vocab, X, Y = data
    with pytest.raises(ValueError):
        find_lr(small_model(vocab), X, Y, low=0, high=-3)


# ----------------------------------------------------------------------------
# checkpoints

def test_checkpoint_round_trip_keeps_parameters_settings_vocab_and_extra(tmp_path, data):
    vocab, X, Y = data
    model = small_model(vocab, direct=True)
    path = save_checkpoint(tmp_path / "model.pt", model, vocab, extra={"dev_loss": 2.17, "steps": 100})
    loaded, loaded_vocab, extra = load_checkpoint(path, vocab)
    assert loaded.config == model.config and loaded_vocab == vocab and extra == {"dev_loss": 2.17, "steps": 100}
    assert torch.equal(loaded(X), model(X))
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]  # no temporary file left


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(CheckpointError, match="No checkpoint"):
        load_checkpoint(tmp_path / "nope.pt")


def test_checkpoint_with_another_vocabulary_is_rejected(tmp_path, data):
    vocab, X, Y = data
    path = save_checkpoint(tmp_path / "model.pt", small_model(vocab), vocab)
    other = Vocab.from_words(["xyz", "zyx"])
    with pytest.raises(CheckpointError, match="vocabulary"):
        load_checkpoint(path, other)


def test_corrupted_checkpoint_is_a_clear_error_and_is_kept(tmp_path, data):
    vocab, X, Y = data
    path = save_checkpoint(tmp_path / "model.pt", small_model(vocab), vocab)
    damaged = path.read_bytes()[:200]
    path.write_bytes(damaged)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(path)
    assert path.read_bytes() == damaged


def test_checkpoint_whose_shapes_do_not_match_its_settings_is_rejected(tmp_path, data):
    vocab, X, Y = data
    model = small_model(vocab)
    path = save_checkpoint(tmp_path / "model.pt", model, vocab)
    payload = torch.load(path, weights_only=True)
    payload["config"]["hidden_size"] = 32  # settings now disagree with the stored tensors
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="W1 has shape"):
        load_checkpoint(path)


def test_a_plain_torch_file_is_not_taken_for_a_checkpoint(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save({"W1": torch.zeros(2, 2)}, path)
    with pytest.raises(CheckpointError, match="not written by save_checkpoint"):
        load_checkpoint(path)


def test_saving_with_a_vocabulary_of_the_wrong_size_is_refused(tmp_path, data):
    vocab, X, Y = data
    with pytest.raises(CheckpointError, match="characters"):
        save_checkpoint(tmp_path / "m.pt", small_model(vocab), Vocab.from_words(["ab"]))
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------
# the warm-up + cosine schedule

def test_warmup_cosine_rises_linearly_then_decays_to_the_final_fraction():
    from utils import warmup_cosine

    lr = warmup_cosine(0.01, total_steps=1000, warmup_steps=100, final_fraction=0.1)
    assert lr(0) == pytest.approx(0.0001) and lr(49) == pytest.approx(0.005) and lr(99) == pytest.approx(0.01)
    assert lr(100) == pytest.approx(0.01)
    assert lr(999) == pytest.approx(0.001)
    values = [lr(s) for s in range(100, 1000)]
    assert all(a >= b for a, b in zip(values, values[1:]))  # never rises after the warm-up
    with pytest.raises(ValueError):
        warmup_cosine(0.01, total_steps=100, warmup_steps=100)


@pytest.mark.parametrize("window", [0, -5, 2.5, True])
def test_find_lr_refuses_a_window_that_is_not_a_positive_whole_number(data, window):
    vocab, X, Y = data
    with pytest.raises(ValueError, match="window"):
        find_lr(MLP(ModelConfig(vocab_size=len(vocab))), X, Y, steps=100, window=window)
