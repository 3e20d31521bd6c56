"""Tests of the MLP, the hand-written losses, training, evaluation and the bigram baseline."""

import math

import pytest
import torch
import torch.nn.functional as F

from utils import (MLP, ModelConfig, TrainingDiverged, Vocab, bigram_counts, bigram_loss,
                   count_parameters, cross_entropy, evaluate, softmax, train)

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
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 200), generator=g)
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


@pytest.mark.parametrize("direct", [False, True])
def test_sgd_step_by_hand_matches_autograd(data, direct):
    vocab, X, Y = data
    config = small_config(vocab, output_scale=0.1, init="scaled", direct=direct)
    by_hand, by_autograd = MLP(config), MLP(config)
    if direct:
        with torch.no_grad():
            by_hand.W.normal_(std=0.1, generator=torch.Generator().manual_seed(0))
            by_autograd.W.copy_(by_hand.W)
    for start in range(0, 96, 32):
        xb, yb = X[start:start + 32], Y[start:start + 32]
        loss_hand = by_hand.sgd_step(xb, yb, 0.5)
        loss = F.cross_entropy(by_autograd(xb), yb)
        for p in by_autograd.parameters():
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in by_autograd.parameters():
                p -= 0.5 * p.grad
        assert loss_hand == pytest.approx(loss.item(), abs=1e-5)
    for p, q in zip(by_hand.parameters(), by_autograd.parameters()):
        assert torch.allclose(p, q, atol=1e-5)


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


def test_manual_and_autograd_training_agree(data):
    vocab, X, Y = data
    histories = []
    for backward in ("manual", "autograd"):
        model = MLP(small_config(vocab, output_scale=0.1))
        histories.append(train(model, X, Y, steps=100, lr=0.2, backward=backward, progress=False).losses)
    assert histories[0] == pytest.approx(histories[1], abs=1e-4)


def test_helper_reproduces_the_plain_lecture_loop(data):
    vocab, X, Y = data
    model = MLP(small_config(vocab, output_scale=0.1))
    history = train(model, X, Y, steps=30, lr=0.1, batch_size=8, seed=7, backward="autograd", progress=False)
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


@pytest.mark.parametrize("backward", ["manual", "autograd"])
def test_exploding_loss_stops_naming_step_and_rate_and_keeps_history(data, backward):
    vocab, X, Y = data
    model = MLP(small_config(vocab))
    with pytest.raises(TrainingDiverged) as info:
        train(model, X, Y, steps=100, lr=1e6, backward=backward, progress=False)
    message = str(info.value)
    history = info.value.history
    assert f"at step {len(history.losses)} " in message and "learning rate 1e+06" in message
    assert "lower the learning rate" in message and len(history.losses) >= 1
    assert all(torch.isfinite(p).all() for p in model.parameters())


@pytest.mark.parametrize("backward", ["manual", "autograd"])
def test_nan_loss_stops_before_touching_the_parameters(data, backward):
    vocab, X, Y = data
    model = MLP(small_config(vocab))
    with torch.no_grad():
        model.W2[0, 0] = float("nan")
    before = model.state_dict()
    with pytest.raises(TrainingDiverged, match="became nan at step 0"):
        train(model, X, Y, steps=10, lr=0.1, backward=backward, progress=False)
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
    with pytest.raises(ValueError, match="manual"):
        train(model, X, Y, steps=1, backward="manual", progress=False)


@pytest.mark.parametrize("bad", [dict(steps=0), dict(optimizer="adam"), dict(backward="fast")])
def test_bad_training_arguments_are_rejected(data, bad):
    vocab, X, Y = data
    kwargs = dict(steps=10, progress=False) | bad
    with pytest.raises(ValueError):
        train(MLP(small_config(vocab)), X, Y, **kwargs)


def test_progress_bar_redraws_a_bounded_number_of_times_however_long_the_run(data, monkeypatch):
    from rich.progress import Progress

    redraws = []
    original = Progress.refresh
    monkeypatch.setattr(Progress, "refresh", lambda self: (redraws.append(1), original(self))[1])
    vocab, X, Y = data
    for steps in (200, 5000):
        redraws.clear()
        train(MLP(small_config(vocab, output_scale=0.1)), X, Y, steps=steps, progress=True)
        assert len(redraws) <= 55, f"{len(redraws)} redraws for {steps} steps"


def test_progress_bar_has_no_timer_thread_so_redraws_do_not_grow_with_wall_time(data):
    import threading

    from rich.live import _RefreshThread

    class WatchedMLP(MLP):
        timer_threads = 0

        def __call__(self, X):
            WatchedMLP.timer_threads += sum(isinstance(t, _RefreshThread) for t in threading.enumerate())
            return super().__call__(X)

    vocab, X, Y = data
    train(WatchedMLP(small_config(vocab, output_scale=0.1)), X, Y, steps=50, backward="autograd", progress=True)
    assert WatchedMLP.timer_threads == 0


def test_training_with_progress_bar_runs_outside_a_terminal(data):
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
