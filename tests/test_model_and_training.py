"""Tests of the MLP, the hand-written losses, training, evaluation and the bigram baseline."""

import math
import re

import pytest
import torch
import torch.nn.functional as F

from utils import (MLP, ModelConfig, TrainingDiverged, Vocab, bigram_counts, bigram_loss,
                   count_parameters, cross_entropy, evaluate, softmax, train, warmup_cosine)

def small_config(vocab, **kw):
    return ModelConfig(vocab_size=len(vocab), block_size=3, embedding_dim=4, hidden_size=16, **kw)


# ----------------------------------------------------------------------------
# the model

def test_parameter_count_formula_matches_the_tensors():
    for config in [ModelConfig(embedding_dim=2, hidden_size=100), ModelConfig(),
                   ModelConfig(block_size=8, embedding_dim=24, hidden_size=128, direct=True)]:
        assert MLP(config).num_parameters() == count_parameters(config)
    assert count_parameters(ModelConfig(embedding_dim=2, hidden_size=100)) == 3481


def test_forward_shapes_and_seeded_init(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab))
    assert model(X[:7]).shape == (7, len(vocab))
    same = MLP(small_config(vocab))
    other = MLP(small_config(vocab), seed=1)
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), same.parameters()))
    assert not torch.equal(model.W1, other.W1)


def test_lecture_init_uses_the_lecture_generator_order():
    g = torch.Generator().manual_seed(2147483647)
    C = torch.randn((27, 10), generator=g, dtype=torch.float64)
    W1 = torch.randn((30, 200), generator=g, dtype=torch.float64)
    model = MLP(ModelConfig())
    assert torch.equal(model.C, C) and torch.equal(model.W1, W1)


def test_forward_rejects_contexts_of_the_wrong_width(data):
    vocab, X, Y = data
    with pytest.raises(ValueError, match=r"shape \(B, 3\)"):
        MLP(small_config(vocab))(torch.zeros((2, 5), dtype=torch.int64))


@pytest.mark.parametrize("bad", [dict(hidden_size=0), dict(init="xavier"), dict(dropout=1.0)])
def test_bad_settings_are_rejected(bad):
    with pytest.raises(ValueError):
        ModelConfig(**bad)


def test_output_scale_brings_initial_loss_near_uniform(data):
    vocab, X, Y = data
    naive = evaluate(MLP(small_config(vocab)), X, Y)
    scaled = evaluate(MLP(small_config(vocab, output_scale=0.01)), X, Y)
    assert naive > scaled and abs(scaled - math.log(len(vocab))) < 0.1


def test_state_dict_round_trip_and_shape_check(data):
    vocab, X, Y = data
    a, b = MLP(small_config(vocab)), MLP(small_config(vocab), seed=5)
    b.load_state_dict(a.state_dict())
    assert torch.equal(a(X), b(X))
    wider = MLP(ModelConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=32))
    with pytest.raises(ValueError, match="W1 has shape"):
        wider.load_state_dict(a.state_dict())


# ----------------------------------------------------------------------------
# softmax and cross-entropy by hand

def test_softmax_and_cross_entropy_match_pytorch_on_random_and_extreme_logits():
    g = torch.Generator().manual_seed(0)
    targets = torch.randint(0, 27, (64,), generator=g)
    for scale in (1.0, 10.0, 1000.0):
        logits = torch.randn((64, 27), generator=g) * scale
        assert torch.allclose(softmax(logits), torch.softmax(logits, dim=1), atol=1e-6)
        assert torch.allclose(cross_entropy(logits, targets), F.cross_entropy(logits, targets), rtol=1e-5)
    huge = torch.full((4, 27), 1e4)
    huge[:, 3] = 1e4 + 5
    assert torch.isfinite(softmax(huge)).all() and torch.isfinite(cross_entropy(huge, targets[:4]))


def test_cross_entropy_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        cross_entropy(torch.zeros((4, 27)), torch.zeros(5, dtype=torch.int64))


# ----------------------------------------------------------------------------
# training

def test_a_200_step_run_lowers_the_loss(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab, output_scale=0.1))
    before = evaluate(model, X, Y)
    history = train(model, X, Y, steps=200, lr=0.1, eval_every=100, eval_sets={"train": (X, Y)}, progress=False)
    assert len(history.losses) == 200 and history.eval_steps == [100, 200]
    assert history.last("train") < before - 0.3
    assert history.last("train") == pytest.approx(evaluate(model, X, Y))


def test_training_is_reproducible_and_seeded(data):
    vocab, X, Y = data
    runs = []
    for seed in (1, 1, 2):
        model = MLP(small_config(vocab, output_scale=0.1))
        runs.append(train(model, X, Y, steps=50, seed=seed, progress=False).losses)
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_helper_reproduces_the_plain_lecture_loop(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab, output_scale=0.1))
    history = train(model, X, Y, steps=30, lr=0.1, batch_size=8, seed=7, progress=False)
    plain = MLP(small_config(vocab, output_scale=0.1))
    g = torch.Generator().manual_seed(7)
    losses = []
    for _ in range(30):
        ix = torch.randint(0, X.shape[0], (8,), generator=g)
        loss = F.cross_entropy(plain(X[ix]), Y[ix])
        for p in plain.parameters():
            p.grad = None
        loss.backward()
        for p in plain.parameters():
            p.data += -0.1 * p.grad
        losses.append(loss.item())
    assert history.losses == pytest.approx(losses, abs=1e-6)


def test_learning_rate_can_be_a_function_of_the_step(data):
    vocab, X, Y = data
    history = train(MLP(small_config(vocab)), X, Y, steps=10, lr=lambda s: 0.1 if s < 5 else 0.01, progress=False)
    assert history.lrs == [0.1] * 5 + [0.01] * 5


def test_exploding_loss_stops_naming_step_and_rate_and_keeps_history(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab))
    with pytest.raises(TrainingDiverged) as info:
        train(model, X, Y, steps=100, lr=1e6, progress=False)
    message = str(info.value)
    history = info.value.history
    assert message.startswith(f"Training diverged at step {len(history.losses)} (learning rate 1e+06): the loss reached ")
    assert "train a fresh model with a lower learning rate (utils.find_lr suggests one)" in message
    assert "(try " not in message and len(history.losses) >= 1  # no rate of its own: a tenth of a wild rate can still diverge
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_nan_loss_stops_before_touching_the_parameters(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab))
    with torch.no_grad():
        model.W2[0, 0] = float("nan")
    before = model.state_dict()
    with pytest.raises(TrainingDiverged, match=r"diverged at step 0 \(learning rate 0.1\): the loss became nan") as info:
        train(model, X, Y, steps=10, lr=0.1, progress=False)
    assert "before any update, so the learning rate is not the cause" in str(info.value)
    assert "lower learning rate" not in str(info.value)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before if k != "W2")
    assert torch.equal(before["W2"][1:], after["W2"][1:])


def test_divergence_limit_can_be_switched_off(data):
    vocab, X, Y = data
    history = train(MLP(small_config(vocab)), X, Y, steps=20, lr=1e3, diverge_factor=None, progress=False)
    assert len(history.losses) == 20


def test_adamw_and_dropout_train_with_autograd(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab, output_scale=0.1, init="scaled", dropout=0.1))
    before = evaluate(model, X, Y)
    train(model, X, Y, steps=200, lr=3e-3, optimizer="adamw", weight_decay=0.01, progress=False)
    assert evaluate(model, X, Y) < before - 0.3 and model.training is False


def test_adamw_steps_are_torchs_adamw_written_out_step_by_step(data):
    """train(optimizer="adamw") takes the steps of the textbook torch.optim.AdamW (its for-loop version), with the
    schedule's rate set before each step: same batches, same parameters to 1e-12 after 50 steps."""
    vocab, X, Y = data
    config = small_config(vocab, output_scale=0.1, init="scaled")
    schedule = warmup_cosine(3e-3, 50, warmup_steps=5)
    model = MLP(config)
    train(model, X, Y, steps=50, lr=schedule, optimizer="adamw", weight_decay=0.01, batch_size=8, progress=False)

    reference = MLP(config)
    params = reference.parameters()
    optimizer = torch.optim.AdamW(params, lr=0.0, weight_decay=0.01, foreach=False)
    batches = torch.randint(0, len(X), (50, 8), generator=torch.Generator().manual_seed(2147483647))
    for step, ix in enumerate(batches):
        loss = F.cross_entropy(reference(X[ix]), Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        optimizer.param_groups[0]["lr"] = schedule(step)
        optimizer.step()
    for mine, theirs in zip(model.parameters(), params):
        assert torch.allclose(mine, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("bad", [dict(steps=0), dict(optimizer="adam")])
def test_bad_training_arguments_are_rejected(data, bad):
    vocab, X, Y = data
    kwargs = dict(steps=10, progress=False) | bad
    with pytest.raises(ValueError):
        train(MLP(small_config(vocab)), X, Y, **kwargs)


def test_progress_bar_redraws_a_bounded_number_of_times_however_long_the_run(data, monkeypatch):
    from rich.progress import Progress

    monkeypatch.setenv("MAKEMORE_MLP_PROGRESS", "1")
    redraws = []
    original = Progress.refresh
    monkeypatch.setattr(Progress, "refresh", lambda self: (redraws.append(1), original(self))[1])
    vocab, X, Y = data
    for steps in (200, 3000):
        redraws.clear()
        train(MLP(small_config(vocab, output_scale=0.1)), X, Y, steps=steps, progress=True)
        assert len(redraws) <= 55, f"{len(redraws)} redraws for {steps} steps"


def test_progress_bar_has_no_timer_thread_so_redraws_do_not_grow_with_wall_time(data, monkeypatch):
    import threading

    monkeypatch.setenv("MAKEMORE_MLP_PROGRESS", "1")
    from rich.live import _RefreshThread

    class WatchedMLP(MLP):
        timer_threads = 0

        def __call__(self, X):
            WatchedMLP.timer_threads += sum(isinstance(t, _RefreshThread) for t in threading.enumerate())
            return super().__call__(X)

    vocab, X, Y = data
    train(WatchedMLP(small_config(vocab, output_scale=0.1)), X, Y, steps=50, progress=True)
    assert WatchedMLP.timer_threads == 0


def test_training_with_progress_bar_runs_outside_a_terminal(data, monkeypatch):
    monkeypatch.setenv("MAKEMORE_MLP_PROGRESS", "1")
    vocab, X, Y = data
    history = train(MLP(small_config(vocab, output_scale=0.1)), X, Y, steps=20, progress=True)
    assert len(history.losses) == 20


# ----------------------------------------------------------------------------
# the bigram baseline

def test_bigram_counts_count_every_pair_with_boundaries():
    vocab = Vocab.from_words(["ab", "b"])
    N = bigram_counts(["ab", "b"], vocab)
    a, b = vocab.stoi["a"], vocab.stoi["b"]
    assert N[0, a] == 1 and N[a, b] == 1 and N[b, 0] == 2 and N[0, b] == 1 and N.sum() == 5


def test_bigram_loss_by_hand():
    vocab = Vocab.from_words(["ab"])
    # counts + 1: row '.' -> [1, 2, 1], row 'a' -> [1, 1, 2], row 'b' -> [2, 1, 1]; pairs .a ab b.
    expected = -(math.log(2 / 4) + math.log(2 / 4) + math.log(2 / 4)) / 3
    assert bigram_loss(["ab"], ["ab"], vocab, smoothing=1.0) == pytest.approx(expected)


# ----------------------------------------------------------------------------
# one training path, in float64, and arguments it cannot use

def test_parameters_are_float64_whatever_the_default_dtype(data):
    vocab, X, Y = data
    previous = torch.get_default_dtype()
    try:
        for default in (torch.float32, torch.float64):
            torch.set_default_dtype(default)
            model = MLP(small_config(vocab, direct=True))
            assert all(p.dtype == torch.float64 for p in model.parameters())
            assert model(X[:4]).dtype == torch.float64
    finally:
        torch.set_default_dtype(previous)


def test_training_uses_autograd_so_a_changed_forward_pass_trains_correctly(data):
    """A subclass with another forward pass trains on that pass's own gradients: there is no stale hand-written step."""
    vocab, X, Y = data

    class Doubled(MLP):
        def __call__(self, X):
            return 2 * super().__call__(X)

    model = Doubled(small_config(vocab, output_scale=0.1))
    history = train(model, X, Y, steps=30, lr=0.1, batch_size=8, seed=3, progress=False)
    copy = Doubled(small_config(vocab, output_scale=0.1))
    g = torch.Generator().manual_seed(3)
    for loss_seen in history.losses:
        ix = torch.randint(0, X.shape[0], (8,), generator=g)
        loss = F.cross_entropy(copy(X[ix]), Y[ix])
        for p in copy.parameters():
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in copy.parameters():
                p -= 0.1 * p.grad
        assert loss.item() == pytest.approx(loss_seen, abs=1e-12)


def test_sgd_weight_decay_shrinks_the_weights(data):
    vocab, X, Y = data
    plain, decayed = MLP(small_config(vocab, output_scale=0.1)), MLP(small_config(vocab, output_scale=0.1))
    train(plain, X, Y, steps=50, lr=0.1, progress=False)
    train(decayed, X, Y, steps=50, lr=0.1, weight_decay=1.0, progress=False)
    assert decayed.W1.norm() < 0.9 * plain.W1.norm()


@pytest.mark.parametrize("bad, message", [
    (dict(lr=float("nan")), "learning rate at step 0 is nan"),
    (dict(lr=float("inf")), "learning rate at step 0 is inf"),
    (dict(lr=-0.1), "learning rate at step 0 is -0.1"),
    (dict(lr=lambda step: float("nan") if step == 5 else 0.1), "learning rate at step 5 is nan"),
    (dict(diverge_factor=0.5), "diverge_factor must be a number above 1"),
    (dict(weight_decay=-1.0), "weight_decay must be"),
    (dict(steps=2.5), "steps must be a whole number"),
    (dict(eval_every=0), "eval_every must be"),
])
def test_unusable_training_arguments_are_clear_errors(data, bad, message):
    vocab, X, Y = data
    model = MLP(small_config(vocab))
    with pytest.raises(ValueError, match=message):
        train(model, X, Y, **(dict(steps=10, progress=False) | bad))
    assert model.training is False


def test_an_empty_evaluation_split_is_refused_before_training(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab))
    before = model.state_dict()
    with pytest.raises(ValueError, match="eval set 'dev' is empty"):
        train(model, X, Y, steps=10, eval_sets={"dev": (X[:0], Y[:0])}, progress=False)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_targets_that_do_not_pair_up_with_contexts_are_refused(data):
    vocab, X, Y = data
    with pytest.raises(ValueError, match="contexts but .* targets"):
        train(MLP(small_config(vocab)), X, torch.cat([Y, Y[:3]]), steps=10, progress=False)


def test_a_model_too_small_for_the_vocabulary_is_refused_before_training(data):
    vocab, X, Y = data
    with pytest.raises(ValueError, match=r"vocab_size .*ModelConfig\(vocab_size=len\(vocab\)\)"):
        train(MLP(ModelConfig(vocab_size=5, embedding_dim=4, hidden_size=16)), X, Y, steps=10, progress=False)


def test_an_interrupted_run_leaves_training_mode_and_keeps_its_history(data):
    vocab, X, Y = data

    class Interrupted(MLP):
        calls = 0

        def __call__(self, X):
            Interrupted.calls += 1
            if Interrupted.calls == 8:
                raise KeyboardInterrupt
            return super().__call__(X)

    model = Interrupted(small_config(vocab, dropout=0.2))
    with pytest.raises(KeyboardInterrupt) as info:
        train(model, X, Y, steps=100, progress=False)
    assert model.training is False
    assert len(info.value.history.losses) == 7


def test_progress_bars_can_be_turned_off_for_unattended_runs(data, monkeypatch):
    from rich.progress import Progress

    starts = []
    monkeypatch.setattr(Progress, "start", lambda self: starts.append(1))
    vocab, X, Y = data
    monkeypatch.setenv("MAKEMORE_MLP_PROGRESS", "0")
    train(MLP(small_config(vocab)), X, Y, steps=5, progress=True)
    assert starts == []


@pytest.mark.parametrize("settings, error, words", [
    (dict(block_size=2.5), TypeError, "block_size must be a whole number, got 2.5 (float)"),
    (dict(block_size="3"), TypeError, "block_size must be a whole number, got '3' (str)"),
    (dict(hidden_size=10.0), TypeError, "hidden_size must be a whole number"),
    (dict(embedding_dim=True), TypeError, "embedding_dim must be a whole number"),
    (dict(direct="no"), TypeError, "direct must be True or False, got 'no'"),
    (dict(dropout="0.1"), TypeError, "dropout must be a number"),
    (dict(output_scale=0.0), ValueError, "output_scale must be a positive number"),
    (dict(output_scale=float("nan")), ValueError, "output_scale must be a positive number"),
    (dict(block_size=0), ValueError, "block_size must be at least 1"),
])
def test_model_settings_of_the_wrong_type_or_range_are_refused_at_once(settings, error, words):
    with pytest.raises(error, match=re.escape(words)):
        ModelConfig(**settings)


def test_model_settings_accept_numpy_integers_and_plain_numbers():
    import numpy as np

    config = ModelConfig(block_size=np.int64(4), hidden_size=64, output_scale=1, dropout=0)
    assert count_parameters(config) == MLP(config).num_parameters()


def test_a_model_that_diverged_is_refused_until_it_gets_good_parameters(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab))
    fresh = MLP(small_config(vocab)).state_dict()
    with pytest.raises(TrainingDiverged):
        train(model, X, Y, steps=200, lr=1e4, progress=False)
    # the advised retry on the same model used to run without complaint: its first (huge) loss set the limit
    with pytest.raises(ValueError, match=r"diverged in an earlier run \(step \d+, learning rate 10000\)"):
        train(model, X, Y, steps=10, lr=0.01, progress=False)
    model.load_state_dict(fresh)
    history = train(model, X, Y, steps=10, lr=0.01, progress=False)
    assert len(history.losses) == 10


def test_a_recipe_trains_a_fresh_model_with_its_settings(data):
    from utils import LECTURE_RECIPE, Recipe

    vocab, X, Y = data
    recipe = Recipe(small_config(vocab), steps=20, lr=lambda step: 0.1 if step < 10 else 0.01)
    model, history = recipe.train(X, Y, progress=False)
    assert history.steps == list(range(20)) and history.lrs == [0.1] * 10 + [0.01] * 10
    assert isinstance(model, MLP) and model.config == recipe.config
    assert (LECTURE_RECIPE.lr(99_999), LECTURE_RECIPE.lr(100_000)) == (0.1, 0.01)


def test_a_torch_module_trains_and_its_dropout_is_switched_off_after(data):
    """train() takes an nn.Module too: its parameters change at every step, and train/eval reach its submodules."""
    vocab, X, Y = data
    from utils import NeuralLM
    torch.manual_seed(0)
    config = ModelConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=16)
    module = NeuralLM(config).double()
    module.extra = torch.nn.Dropout(0.5)  # a submodule: module.train(flag) must reach it
    for optimizer in ("sgd", "adamw"):
        before = evaluate(module, X, Y)
        first = module.output.bias.detach().clone()
        history = train(module, X, Y, steps=60, lr=0.05 if optimizer == "sgd" else 0.01, optimizer=optimizer,
                        progress=False)
        assert evaluate(module, X, Y) < before, optimizer
        assert not torch.equal(module.output.bias, first)
        assert len(history.losses) == 60
        assert not module.training and not module.extra.training
