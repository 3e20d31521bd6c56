"""Answer keys of lesson 04 (training). Reading them spoils the exercises."""

from __future__ import annotations

import math
from collections import Counter

import torch
import torch.nn.functional as F

from utils.data import Vocab, build_dataset
from utils.exercises import Key, NotAnswered, fail
from utils.model import MLP, ModelConfig
from utils.training import evaluate


# --- 04.1: the planted bug (gradients zeroed once, before the loop, instead of at every step) -------------------

def _reference_fit(model, X, Y, steps, lr=0.1):
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(X), Y)
        for p in model.parameters():
            p.grad = None
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.item())
    return losses


_FIT_WORDS = ["emma", "ava", "mia", "ella", "anna"]  # tiny, with the ambiguous context '...' and others
_FIT_CASES = [(40, 0.1), (15, 0.5), (1, 0.1), (0, 0.1)]  # (steps, lr): several steps, one step, none


def _fit_data():
    vocab = Vocab.from_words(_FIT_WORDS)
    X, Y = build_dataset(_FIT_WORDS, 3, vocab)
    config = ModelConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=16, output_scale=0.01)
    return X, Y, config


# The hint follows the first step whose loss is wrong: that step says which part of the loop went wrong.
_HINT_RECORDED = ("the very first loss differs, before any update could matter: record the mean cross-entropy "
                  "of the batch as the step begins, the loss its gradient comes from")
_HINT_FIRST_UPDATE = ("the first loss is right and the second is not, so the first update is off: check that the "
                      "gradient is that of the mean loss, and that the step is lr times it, against it")
_HINT_LATER_UPDATES = ("the first update is right and a later one is not: compare where this function resets p.grad "
                       "with where the loop of section 2 does, and think about what backward() does to a .grad that "
                       "nobody has reset since the last step")


def _verify_fit(answer, **context):
    if not callable(answer):
        fail(f"expected the fixed function fit, got {type(answer).__name__}")
    X, Y, config = _fit_data()
    for steps, lr in _FIT_CASES:
        model, reference = MLP(config, seed=7), MLP(config, seed=7)
        try:
            got = answer(model, X, Y, steps, lr)
        except NotImplementedError:
            raise NotAnswered("fit is not written yet (it raises NotImplementedError)") from None
        except Exception as err:
            hint = (". Hint: before the first backward(), every p.grad is None"
                    if isinstance(err, AttributeError) and "NoneType" in str(err) else "")
            fail(f"fit(model, X, Y, steps={steps}, lr={lr}) on a small test model raised {type(err).__name__}: "
                 f"{err}{hint}")
        expected = _reference_fit(reference, X, Y, steps, lr)
        if got is None:
            fail("fit returns None: it must return the list of losses")
        got = [float(v) for v in (got.tolist() if isinstance(got, torch.Tensor) else got)]
        if len(got) != len(expected):
            fail(f"with steps={steps}, fit returned {len(got)} losses instead of one per step")
        for step, (a, e) in enumerate(zip(got, expected)):
            if not math.isclose(a, e, rel_tol=1e-6, abs_tol=1e-9):
                hint = _HINT_RECORDED if step == 0 else _HINT_FIRST_UPDATE if step == 1 else _HINT_LATER_UPDATES
                fail(f"with steps={steps} and lr={lr} on a small test model, the loss your fit records at step {step} "
                     f"({a:.6f}) is not the one a correct loop records. Hint: {hint}")
        for p, q in zip(model.parameters(), reference.parameters()):
            if not torch.allclose(p.detach(), q.detach(), rtol=1e-6, atol=1e-9):
                fail(f"the losses match, but after {steps} steps the model's parameters differ from a correct loop's: "
                     f"fit must update the model it is given, once per step")


# --- 04.2 and 04.3: the loss floor, and a model that reaches it ------------------------------------------------

def _loss_floor(X, Y):
    """The lowest mean cross-entropy on (X, Y): predict each context's empirical next-character distribution."""
    contexts = [tuple(row) for row in X.tolist()]
    pairs = Counter(zip(contexts, Y.tolist()))
    per_context = Counter(contexts)
    return -sum(n * math.log(n / per_context[c]) for (c, _), n in pairs.items()) / len(contexts)


def _floor_cases():
    words = ["emma", "olivia", "ava", "isabella", "sophia"]  # the batch of section 2: floor 5 log 5 / 32
    vocab = Vocab.from_words(words)
    bigram_words = ["anna", "ada", "adam", "ava", "eva", "mia"]
    t = torch.tensor
    return [
        build_dataset(words, 3, vocab),
        build_dataset(bigram_words, 1, Vocab.from_words(bigram_words)),  # block size 1: the bigram floor
        (t([[1, 2], [2, 1], [1, 2], [2, 1]]), t([3, 3, 4, 5])),  # the same letters in another order: another context
        (t([[0, 0, 0]] * 4), t([1, 2, 1, 2])),  # one context, two next characters half the time each
        (t([[0, 0, 0]]), t([5])),  # a single example
        (t([[0, 0, 0], [0, 0, 1], [0, 1, 2]]), t([1, 2, 0])),  # every context unambiguous
    ]


def _verify_overfit(answer, words):
    if isinstance(answer, (int, float, torch.Tensor)):
        fail("expected the trained model itself (the check measures its loss), not a number")
    if not callable(answer):
        fail(f"expected the trained model, got {type(answer).__name__}")
    vocab = Vocab.from_words(words)
    X, Y = build_dataset(words[:10], 3, vocab)
    try:
        loss = evaluate(answer, X, Y)
    except Exception as err:
        fail(f"the model could not score the first 10 names' examples (block size 3, the vocabulary of all names): "
             f"{type(err).__name__}: {err}")
    floor = _loss_floor(X, Y)
    if not loss < floor + 0.01:
        fail(f"its loss on the first 10 names is {loss:.4f}, more than 0.01 above the lowest possible loss")


KEYS = {
    "04.1": Key(verify=_verify_fit),  # its hints depend on what went wrong: _verify_fit writes them
    "04.2": Key(_loss_floor, cases=_floor_cases(), rel=1e-5, abs=1e-7,
                hint="What probability does the best possible model give each example's next character? Average the "
                     "loss over all examples, not over distinct contexts; a context is the whole row, in order."),
    "04.3": Key(verify=_verify_overfit, needs=("words",),
                hint="Train on all the first 10 names' examples at every step (full batch), for longer or at a larger "
                     "rate; lower the loss until it nearly reaches loss_floor of those examples."),
}
