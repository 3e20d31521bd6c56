"""Lesson 08's exercise checks: plausible wrong answers fail, right answers in other forms pass.

No training here: the checks run on small untrained models, which is all they need (the answers are functions
of the model, or computed from it).
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils import MLP, ModelConfig, Vocab, build_dataset, check, context_windows, log_likelihood, sample
from utils.exercises import NotAnswered, WrongAnswer

VOCAB = Vocab.from_words(["abcdefghijklmnopqrstuvwxyz"])  # the 27 characters of names.txt


@pytest.fixture(scope="module")
def model():
    """A small untrained model, a little less confident than the lecture's init."""
    return MLP(ModelConfig(block_size=3, embedding_dim=4, hidden_size=16, output_scale=0.5), seed=7)


# --- 08.1 greedy -------------------------------------------------------------------------------------------------

@torch.no_grad()
def greedy(model, vocab, prefix="", max_length=30):
    """A right answer, written another way: a string that grows, and the context read back from it."""
    name, block_size = prefix, model.config.block_size
    while len(name) < max_length:
        context = ([0] * block_size + vocab.encode(name))[-block_size:]
        ix = int(torch.argmax(F.softmax(model(torch.tensor([context])), dim=1)[0]))
        if ix == 0:
            return name
        name += vocab.itos[ix]
    return name + "…"


def _sampling(model, vocab, prefix="", max_length=30):  # draws at random: not greedy
    return sample(model, vocab, 1, generator=torch.Generator().manual_seed(0), prefix=prefix, max_length=max_length)[0]


def _no_cut_marker(model, vocab, prefix="", max_length=30):
    return greedy(model, vocab, prefix, max_length).rstrip("…")


@torch.no_grad()
def _block_size_three(model, vocab, prefix="", max_length=30):  # a context of 3 whatever the model reads
    out = vocab.encode(prefix)
    context = ([0, 0, 0] + out)[-3:]
    while len(out) < max_length:
        ix = model(torch.tensor([context]))[0].argmax().item()
        if ix == 0:
            return vocab.decode(out)
        out.append(ix)
        context = context[1:] + [ix]
    return vocab.decode(out) + "…"


def _ignores_prefix(model, vocab, prefix="", max_length=30):
    return prefix + greedy(model, vocab, "", max_length - len(prefix))


def _cut_one_late(model, vocab, prefix="", max_length=30):
    return greedy(model, vocab, prefix, max_length + 1)


def _hard_coded(model, vocab, prefix="", max_length=30):
    return "alee"


def test_greedy_right_answers_pass(model):
    assert check("08.1", greedy, model=model, vocab=VOCAB) == "Correct!"


@pytest.mark.parametrize("wrong", [_sampling, _no_cut_marker, _block_size_three, _ignores_prefix, _cut_one_late,
                                   _hard_coded])
def test_greedy_wrong_answers_fail(model, wrong):
    with pytest.raises(WrongAnswer):
        check("08.1", wrong, model=model, vocab=VOCAB)


def test_greedy_unanswered(model):
    def stub(model, vocab, prefix="", max_length=30):
        raise NotImplementedError()
    for answer in (None, stub):
        with pytest.raises(NotAnswered):
            check("08.1", answer, model=model, vocab=VOCAB)
    with pytest.raises(TypeError, match="model"):
        check("08.1", greedy)  # the check cell must pass the model


def test_greedy_message_names_the_call_but_not_the_expected_name(model):
    with pytest.raises(WrongAnswer) as info:
        check("08.1", _no_cut_marker, model=model, vocab=VOCAB)
    message = str(info.value)
    assert "_no_cut_marker(" in message and "…" not in message.split("Hint")[0]


# --- 08.2 name_probability --------------------------------------------------------------------------------------

@torch.no_grad()
def name_probability(model, vocab, word, temperature=1.0):
    """A right answer, step by step, returning a 0-d tensor."""
    p = torch.tensor(1.0)
    for context, ix in context_windows(word, model.config.block_size, vocab):
        p = p * F.softmax(model(torch.tensor([context]))[0] / temperature, dim=0)[ix]
    return p


def _numpy_form(model, vocab, word, temperature=1.0):
    return np.float64(name_probability(model, vocab, word, temperature).item())


def _ignores_temperature(model, vocab, word, temperature=1.0):
    return math.exp(log_likelihood(model, vocab, word))


def _times_temperature(model, vocab, word, temperature=1.0):
    return name_probability(model, vocab, word, 1 / temperature)


def _log_probability(model, vocab, word, temperature=1.0):
    return name_probability(model, vocab, word, temperature).log()


@torch.no_grad()
def _forgets_the_end(model, vocab, word, temperature=1.0):
    p = 1.0
    for context, ix in context_windows(word, model.config.block_size, vocab)[:-1]:
        p *= F.softmax(model(torch.tensor([context]))[0] / temperature, dim=0)[ix].item()
    return p


def _float32(model, vocab, word, temperature=1.0):  # rounding far past six digits on tiny probabilities
    return float(np.float32(name_probability(model, vocab, word, temperature).item()) * (1 + 1e-4))


def test_name_probability_right_answers_pass(model):
    for answer in (name_probability, _numpy_form):
        assert check("08.2", answer, model=model, vocab=VOCAB) == "Correct!"


@pytest.mark.parametrize("wrong", [_ignores_temperature, _times_temperature, _log_probability, _forgets_the_end,
                                   _float32, lambda model, vocab, word, temperature=1.0: 1e-5])
def test_name_probability_wrong_answers_fail(model, wrong):
    with pytest.raises(WrongAnswer):
        check("08.2", wrong, model=model, vocab=VOCAB)


def test_name_probability_unanswered(model):
    def stub(model, vocab, word, temperature=1.0):
        raise NotImplementedError()
    for answer in (None, stub):
        with pytest.raises(NotAnswered):
            check("08.2", answer, model=model, vocab=VOCAB)


# --- 08.3 best temperatures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def context():
    words = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper", "evelyn"]
    Xdev, Ydev = build_dataset(words, 3, VOCAB)
    calm = MLP(ModelConfig(block_size=3, embedding_dim=4, hidden_size=16, output_scale=0.05), seed=1)
    confident = MLP(ModelConfig(block_size=3, embedding_dim=4, hidden_size=16, output_scale=0.3), seed=2)
    return {"model": calm, "confident": confident, "Xdev": Xdev, "Ydev": Ydev}


def _best(model, X, Y, temperatures):
    with torch.no_grad():
        logits = model(X)
    losses = torch.stack([F.cross_entropy(logits / T, Y) for T in temperatures])
    return temperatures[losses.argmin()]


def test_best_temperatures_in_any_form(context):
    grid = torch.arange(0.5, 2.5001, 0.05)  # arange's floats: 1.0500000000000003 and the like
    best = (_best(context["model"], context["Xdev"], context["Ydev"], grid),
            _best(context["confident"], context["Xdev"], context["Ydev"], grid))
    assert best[0] != best[1]
    for form in (best, list(best), torch.stack(best), np.array([float(b) for b in best]),
                 tuple(round(float(b), 2) for b in best)):
        assert check("08.3", form, **context) == "Correct!"
    for wrong in (best[::-1], (1.0, 1.0), (float(best[0]) + 0.05, best[1]), (best[0], float(best[1]) - 0.05),
                  best[0], "1.0, 2.0"):
        with pytest.raises(WrongAnswer):
            check("08.3", wrong, **context)
    with pytest.raises(NotAnswered):
        check("08.3", None, **context)


def test_best_temperatures_message_does_not_give_the_pair_away(context):
    with pytest.raises(WrongAnswer) as info:
        check("08.3", (0.5, 0.5), **context)
    message = str(info.value).split("Hint")[0]
    assert "difference" not in message and "best T for model" in message
