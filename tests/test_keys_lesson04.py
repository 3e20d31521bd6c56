"""The answer keys of lesson 04: right answers in any form pass, plausible wrong ones and shortcuts fail, and an
unanswered exercise says so. No real training: the models here are tiny or built by hand."""

import math
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import TINY_WORDS
from utils import MLP, ModelConfig, Vocab, build_dataset, check
from utils.exercises import NotAnswered, WrongAnswer


# --- 04.1: fix the planted bug ---------------------------------------------------------------------------------

from utils.answer_keys.lesson04 import _reference_fit as fixed_fit  # noqa: E402  a correct loop


def planted_bug_fit(model, X, Y, steps, lr=0.1):  # the function as the exercise gives it
    for p in model.parameters():
        p.grad = None
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(X), Y)
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.item())
    return losses


def loss_after_the_update(model, X, Y, steps, lr=0.1):
    """A wrong fit, from step 0: it records the loss after the update instead of the one it stepped on."""
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(X), Y)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(F.cross_entropy(model(X), Y).item())
    return losses


def test_fixed_fit_passes_in_other_forms():
    assert check("04.1", fixed_fit) == "Correct!"

    def zero_after_the_update(model, X, Y, steps, lr=0.1):  # zeroing at the end of each step is just as right
        out = []
        for _ in range(steps):
            loss = F.cross_entropy(model(X), Y)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(p.grad, alpha=-lr)
                    p.grad.zero_()
            out.append(loss.detach())
        return torch.stack(out) if out else torch.zeros(0)  # a tensor of losses, not a list

    assert check("04.1", zero_after_the_update) == "Correct!"


def test_the_planted_bug_and_other_slips_fail():
    with pytest.raises(WrongAnswer, match="step 2"):  # steps 0 and 1 agree: the bug shows from the second update
        check("04.1", planted_bug_fit)

    def zero_with_zero_(model, X, Y, steps, lr=0.1):  # p.grad is None before the first backward
        losses = []
        for _ in range(steps):
            loss = F.cross_entropy(model(X), Y)
            for p in model.parameters():
                p.grad.zero_()
            loss.backward()
            for p in model.parameters():
                p.data -= lr * p.grad
            losses.append(loss.item())
        return losses

    with pytest.raises(WrongAnswer, match="AttributeError"):
        check("04.1", zero_with_zero_)

    with pytest.raises(WrongAnswer, match="step 0"):
        check("04.1", loss_after_the_update)

    def trains_a_copy(model, X, Y, steps, lr=0.1):
        copy = MLP(model.config, seed=7)
        return fixed_fit(copy, X, Y, steps, lr)

    with pytest.raises(WrongAnswer, match="parameters differ"):
        check("04.1", trains_a_copy)

    with pytest.raises(WrongAnswer, match="returns None"):
        check("04.1", lambda model, X, Y, steps, lr=0.1: None)
    with pytest.raises(WrongAnswer, match="function"):
        check("04.1", [3.3, 2.6])


def test_the_hint_follows_the_first_wrong_step():
    def sum_loss(model, X, Y, steps, lr=0.1):  # records the mean, but steps on the sum's gradient: wrong from step 1
        losses = []
        for _ in range(steps):
            loss = F.cross_entropy(model(X), Y, reduction="sum")
            for p in model.parameters():
                p.grad = None
            loss.backward()
            for p in model.parameters():
                p.data -= lr * p.grad
            losses.append(loss.item() / len(X))
        return losses

    hints = {planted_bug_fit: "resets p.grad", loss_after_the_update: "as the step begins",
             sum_loss: "first update is off"}
    for fit, hint in hints.items():
        with pytest.raises(WrongAnswer) as err:
            check("04.1", fit)
        message = str(err.value)
        assert hint in message and sum(h in message for h in hints.values()) == 1, message


def test_fit_unanswered():
    def stub(model, X, Y, steps, lr=0.1):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        check("04.1", stub)
    with pytest.raises(NotAnswered):
        check("04.1", None)


# --- 04.2: the loss floor --------------------------------------------------------------------------------------

def floor_with_torch(X, Y):
    """The same floor with torch.unique, returned as a 0-d tensor."""
    _, ctx = torch.unique(X, dim=0, return_inverse=True)  # (N,) context id of each row
    pairs = ctx * (int(Y.max()) + 1) + Y
    _, pair_id, pair_n = torch.unique(pairs, return_inverse=True, return_counts=True)
    ctx_n = torch.bincount(ctx)
    return -(pair_n[pair_id].double() / ctx_n[ctx].double()).log().mean()


def floor_with_numpy(X, Y):
    rows = [tuple(r) for r in X.numpy()]
    pairs, contexts = Counter(zip(rows, Y.numpy())), Counter(rows)
    return np.float64(-sum(n * np.log(n / contexts[c]) for (c, _), n in pairs.items()) / len(rows))


def test_floor_right_in_other_forms():
    assert check("04.2", floor_with_torch) == "Correct!"
    assert check("04.2", floor_with_numpy) == "Correct!"


def test_floor_slips_and_shortcuts_fail():
    def mean_over_contexts(X, Y):  # the entropy of each distinct context, averaged over contexts not examples
        rows = [tuple(r) for r in X.tolist()]
        pairs, contexts = Counter(zip(rows, Y.tolist())), Counter(rows)
        ent = Counter()
        for (c, _), n in pairs.items():
            ent[c] -= n / contexts[c] * math.log(n / contexts[c])
        return sum(ent.values()) / len(contexts)

    def unordered_contexts(X, Y):  # a context as a set of characters: 'ab.' and 'ba.' merged
        rows = [tuple(sorted(r)) for r in X.tolist()]
        pairs, contexts = Counter(zip(rows, Y.tolist())), Counter(rows)
        return -sum(n * math.log(n / contexts[c]) for (c, _), n in pairs.items()) / len(rows)

    def only_the_start(X, Y):  # only '...' counted as ambiguous
        start = (X == 0).all(dim=1)
        k = int(start.sum())
        return k * math.log(k) / len(Y) if k else 0.0

    for wrong in (mean_over_contexts, unordered_contexts, only_the_start,
                  lambda X, Y: 5 * math.log(5) / 32, lambda X, Y: 0.0):
        with pytest.raises(WrongAnswer):
            check("04.2", wrong)


def test_floor_unanswered():
    def stub(X, Y):
        raise NotImplementedError()

    with pytest.raises(NotAnswered):
        check("04.2", stub)
    with pytest.raises(NotAnswered):
        check("04.2", None)


# --- 04.3: overfit the first 10 names --------------------------------------------------------------------------

class TableModel:
    """A model by counting: log of each context's next-character shares (mixed with `uniform` of a flat guess)."""

    def __init__(self, words, vocab, uniform=0.0):
        X, Y = build_dataset(words[:10], 3, vocab)
        self.table = {}
        for c, y in zip(map(tuple, X.tolist()), Y.tolist()):
            self.table.setdefault(c, torch.zeros(len(vocab)))[y] += 1
        self.V, self.uniform = len(vocab), uniform

    def __call__(self, X):
        rows = [self.table.get(tuple(c), torch.ones(self.V)) for c in X.tolist()]
        probs = torch.stack([r / r.sum() for r in rows])  # (B, V)
        return ((1 - self.uniform) * probs + self.uniform / self.V).log()  # log-probabilities as logits


def test_a_model_at_the_floor_passes_a_plain_function_too():
    vocab = Vocab.from_words(TINY_WORDS)
    model = TableModel(TINY_WORDS, vocab)
    assert check("04.3", model, words=TINY_WORDS) == "Correct!"
    assert check("04.3", lambda X: model(X), words=TINY_WORDS) == "Correct!"


def test_a_model_too_far_from_the_floor_fails_without_showing_it():
    vocab = Vocab.from_words(TINY_WORDS)
    with pytest.raises(WrongAnswer, match="more than 0.01 above") as err:
        check("04.3", TableModel(TINY_WORDS, vocab, uniform=0.2), words=TINY_WORDS)
    X, Y = build_dataset(TINY_WORDS[:10], 3, vocab)
    from utils.answer_keys.lesson04 import _loss_floor
    assert f"{_loss_floor(X, Y):.4f}" not in str(err.value)
    with pytest.raises(WrongAnswer, match="more than 0.01 above"):  # an untrained model
        check("04.3", MLP(ModelConfig(vocab_size=len(vocab), output_scale=0.01)), words=TINY_WORDS)


def test_the_loss_or_a_wrong_shaped_model_is_not_the_answer():
    vocab = Vocab.from_words(TINY_WORDS)
    for number in (0.3644, torch.tensor(0.3644)):
        with pytest.raises(WrongAnswer, match="the trained model itself"):
            check("04.3", number, words=TINY_WORDS)
    with pytest.raises(WrongAnswer, match="could not score"):  # block size 4: it cannot read 3-character contexts
        check("04.3", MLP(ModelConfig(vocab_size=len(vocab), block_size=4)), words=TINY_WORDS)


def test_overfit_unanswered_and_context_required():
    with pytest.raises(NotAnswered):
        check("04.3", None, words=TINY_WORDS)
    with pytest.raises(TypeError, match="words"):
        check("04.3", None)
