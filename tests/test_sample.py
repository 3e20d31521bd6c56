"""Tests of sampling, scoring and the memorisation report."""

import math
from collections import Counter

import pytest
import torch

from utils.answer_keys.lesson08 import _greedy as greedy  # exercise 08.1's reference: the most likely character each step

import sys

from utils import (CUT_MARKER, MLP, ModelConfig, Vocab, context_windows, default_max_length, log_likelihood,
                   memorisation, sample)

WORDS = ["emma", "olivia", "ava", "isabella", "sophia"]


@pytest.fixture(scope="module")
def setup():
    vocab = Vocab.from_words(WORDS)
    model = MLP(ModelConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=16, output_scale=0.1))
    return vocab, model


def sample_by_hand(model, vocab, n, generator, max_length=30):
    """The lesson's sampling loop, as utils.sample ran it before cut words were marked."""
    words = []
    for _ in range(n):
        context, out = [0] * model.config.block_size, []
        while len(out) < max_length:
            probs = torch.softmax(model(torch.tensor([context])), dim=1)  # (1, V)
            ix = torch.multinomial(probs, num_samples=1, generator=generator).item()
            if ix == 0:
                break
            out.append(ix)
            context = context[1:] + [ix]
        words.append(vocab.decode(out))
    return words


def test_samples_are_seeded_and_stop_at_the_maximum_length(setup):
    vocab, model = setup
    a = sample(model, vocab, 5, generator=torch.Generator().manual_seed(1))
    b = sample(model, vocab, 5, generator=torch.Generator().manual_seed(1))
    assert a == b and len(a) == 5
    long = sample(model, vocab, 20, generator=torch.Generator().manual_seed(2), max_length=3)
    assert all(len(w) <= 3 or (len(w) == 4 and w.endswith(CUT_MARKER)) for w in long)
    assert all(set(w.removesuffix(CUT_MARKER)) <= set(vocab.itos[1:]) for w in a)


def test_a_cut_word_ends_with_the_marker_and_a_finished_word_is_as_before(setup):
    vocab, model = setup
    by_hand = sample_by_hand(model, vocab, 200, torch.Generator().manual_seed(5), max_length=4)
    marked = sample(model, vocab, 200, generator=torch.Generator().manual_seed(5), max_length=4)
    cut = [w for w in marked if w.endswith(CUT_MARKER)]
    assert 0 < len(cut) < 200 and all(len(w) == 5 for w in cut)
    assert [w.removesuffix(CUT_MARKER) for w in marked] == by_hand  # the same draws: only the marker is new
    silent = sample(model, vocab, 200, generator=torch.Generator().manual_seed(5), max_length=4, cut_marker="")
    assert silent == by_hand


def test_with_default_arguments_samples_match_the_lessons_loop(setup):
    vocab, model = setup
    assert default_max_length(vocab) == 30
    by_hand = sample_by_hand(model, vocab, 50, torch.Generator().manual_seed(6))
    words = sample(model, vocab, 50, generator=torch.Generator().manual_seed(6))
    ended = [i for i, w in enumerate(words) if not w.endswith(CUT_MARKER)]
    assert 0 < len(ended) < 50 and all(words[i] == by_hand[i] for i in ended)  # a word that ends: exactly as before
    assert [w.removesuffix(CUT_MARKER) for w in words] == by_hand


def test_the_default_maximum_length_grows_with_the_longest_word():
    assert default_max_length(Vocab.from_words(["ab"])) == 30
    assert default_max_length(Vocab.from_words(["ab", "x" * 60])) == 120
    assert default_max_length(Vocab((".", "a"))) == 30  # longest word unknown


def test_a_cut_marker_made_of_vocabulary_characters_is_refused(setup):
    vocab, model = setup
    with pytest.raises(ValueError, match="cut marker"):
        sample(model, vocab, 1, generator=torch.Generator(), cut_marker="...")


@pytest.mark.parametrize("temperature", [math.nan, math.inf, -math.inf, 0, -1.0, "hot", None])
def test_temperature_must_be_a_positive_finite_number(setup, temperature):
    vocab, model = setup
    with pytest.raises(ValueError, match="temperature"):
        sample(model, vocab, 1, generator=torch.Generator(), temperature=temperature)


@pytest.mark.parametrize("n", [-1, 2.5, "3", True])
def test_n_must_be_a_whole_number_not_below_zero(setup, n):
    vocab, model = setup
    with pytest.raises(ValueError, match="n must be"):
        sample(model, vocab, n, generator=torch.Generator())
    assert sample(model, vocab, 0, generator=torch.Generator()) == []


@pytest.mark.parametrize("max_length", [10.5, 30.0, 0, "30", True])
def test_max_length_must_be_a_whole_number_of_at_least_one(setup, max_length):
    vocab, model = setup
    with pytest.raises(ValueError, match="max_length"):
        sample(model, vocab, 1, generator=torch.Generator(), max_length=max_length)


def test_a_prefix_as_long_as_max_length_is_refused(setup):
    vocab, model = setup
    with pytest.raises(ValueError, match="max_length"):
        sample(model, vocab, 1, generator=torch.Generator(), prefix="emma", max_length=4)


def test_prefix_starts_every_sample_and_is_checked(setup):
    vocab, model = setup
    words = sample(model, vocab, 4, generator=torch.Generator().manual_seed(3), prefix="is")
    assert all(w.startswith("is") for w in words)
    with pytest.raises(ValueError, match="'q'"):
        sample(model, vocab, 1, generator=torch.Generator().manual_seed(3), prefix="q")


def test_low_temperature_becomes_greedy_and_high_temperature_varied(setup):
    vocab, model = setup
    cold = sample(model, vocab, 30, generator=torch.Generator().manual_seed(4), temperature=1e-3)
    hot = sample(model, vocab, 30, generator=torch.Generator().manual_seed(4), temperature=2.0)
    assert Counter(cold).most_common(1)[0][1] >= 25 and len(set(hot)) > 20
    with pytest.raises(ValueError, match="temperature"):
        sample(model, vocab, 1, generator=torch.Generator(), temperature=0)


def test_log_likelihood_is_the_sum_of_per_character_log_probs(setup):
    vocab, model = setup
    config = model.config
    total = 0.0
    context = [0] * config.block_size
    for ix in vocab.encode("ava") + [0]:
        probs = torch.softmax(model(torch.tensor([context])), dim=1)[0]
        total += math.log(probs[ix].item())
        context = context[1:] + [ix]
    assert log_likelihood(model, vocab, "ava") == pytest.approx(total, abs=1e-4)
    with pytest.raises(ValueError, match="'z'"):
        log_likelihood(model, vocab, "zed")


def test_log_likelihood_builds_its_windows_with_context_windows(setup, monkeypatch):
    vocab, model = setup
    calls = []

    def spy(word, block_size, vocab):
        calls.append(word)
        return context_windows(word, block_size, vocab)

    monkeypatch.setattr(sys.modules["utils.sample"], "context_windows", spy)  # the module, not the function
    log_likelihood(model, vocab, "ava")
    assert calls == ["ava"]


def test_memorisation_shares():
    shares = memorisation(["emma", "ava", "zed", "bob"], train_words=["emma"], heldout_words=["ava", "emma"])
    assert shares == {"train": 0.25, "held-out": 0.25, "new": 0.5}
    with pytest.raises(ValueError):
        memorisation([], ["a"], ["b"])


def test_a_model_built_for_another_vocabulary_is_refused_by_sample_and_log_likelihood():
    words = ["ab", "ba", "abba", "baab"]
    vocab = Vocab.from_words(words)  # 3 tokens, where ModelConfig() assumes 27
    model = MLP(ModelConfig())
    with pytest.raises(ValueError, match="predicts 27 characters but the vocabulary has 3"):
        sample(model, vocab, 1, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="ModelConfig\\(vocab_size=len\\(vocab\\)"):
        log_likelihood(model, vocab, "ab")  # used to return a number, spread over 27 outputs


def test_sort_samples_keeps_each_group_in_order_and_memorisation_counts_them():
    from utils import sort_samples

    groups = sort_samples(["ava", "zed", "mia", "ava…", "bo"], train_words=["ava", "mia"], heldout_words=["bo", "mia"])
    assert groups == {"train": ["ava", "mia"], "held-out": ["bo"], "new": ["zed", "ava…"]}
    assert memorisation(["ava", "zed", "mia", "ava…", "bo"], ["ava", "mia"], ["bo", "mia"]) == \
        {"train": 0.4, "held-out": 0.2, "new": 0.4}


def test_top_k_of_one_is_greedy_decoding(setup):
    vocab, model = setup
    words = sample(model, vocab, 10, generator=torch.Generator().manual_seed(8), top_k=1)
    assert words == [greedy(model, vocab)] * 10
    hot = sample(model, vocab, 10, generator=torch.Generator().manual_seed(8), top_k=1, temperature=5.0)
    assert hot == words  # the temperature cannot change which character is most likely


def test_top_k_equal_to_the_vocabulary_size_draws_as_without_top_k(setup):
    vocab, model = setup
    for temperature in [0.7, 1.0, 1.6]:
        every = sample(model, vocab, 40, generator=torch.Generator().manual_seed(9), temperature=temperature,
                       top_k=len(vocab))
        plain = sample(model, vocab, 40, generator=torch.Generator().manual_seed(9), temperature=temperature)
        assert every == plain


def test_samples_with_top_k_only_use_the_k_most_likely_next_characters(setup):
    vocab, model = setup
    k = 3
    words = sample(model, vocab, 100, generator=torch.Generator().manual_seed(10), top_k=k, temperature=2.0)
    plain = sample(model, vocab, 100, generator=torch.Generator().manual_seed(10), temperature=2.0)
    steps = 0
    with torch.no_grad():
        for word in words:
            ended = not word.endswith(CUT_MARKER)
            ixs = vocab.encode(word.removesuffix(CUT_MARKER)) + ([0] if ended else [])
            context = [0] * model.config.block_size
            for ix in ixs:
                allowed = torch.topk(model(torch.tensor([context]))[0], k).indices.tolist()
                assert ix in allowed, f"{word!r}: {vocab.itos[ix]!r} is not among the {k} most likely"
                context = context[1:] + [ix]
                steps += 1
    assert steps > 300 and words != plain  # many draws checked, and the cut-off changed what was drawn


@pytest.mark.parametrize("top_k", [0, -1, 2.5, "3", True, 13])
def test_top_k_must_be_a_whole_number_from_one_to_the_vocabulary_size(setup, top_k):
    vocab, model = setup
    assert len(vocab) == 12
    with pytest.raises(ValueError, match="top_k must be"):
        sample(model, vocab, 1, generator=torch.Generator(), top_k=top_k)
    assert len(sample(model, vocab, 1, generator=torch.Generator(), top_k=12)) == 1
