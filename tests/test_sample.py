"""Tests of sampling, scoring and the memorisation report."""

import math
from collections import Counter

import pytest
import torch

from utils import MLP, ModelConfig, Vocab, log_likelihood, memorisation, sample

WORDS = ["emma", "olivia", "ava", "isabella", "sophia"]


@pytest.fixture(scope="module")
def setup():
    vocab = Vocab.from_words(WORDS)
    model = MLP(ModelConfig(vocab_size=len(vocab), embedding_dim=4, hidden_size=16, output_scale=0.1))
    return vocab, model


def test_samples_are_seeded_and_stop_at_the_maximum_length(setup):
    vocab, model = setup
    a = sample(model, vocab, 5, generator=torch.Generator().manual_seed(1))
    b = sample(model, vocab, 5, generator=torch.Generator().manual_seed(1))
    assert a == b and len(a) == 5
    long = sample(model, vocab, 20, generator=torch.Generator().manual_seed(2), max_length=3)
    assert all(len(w) <= 3 for w in long)
    assert all(set(w) <= set(vocab.itos[1:]) for w in a)


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


def test_memorisation_shares():
    shares = memorisation(["emma", "ava", "zed", "bob"], train_words=["emma"], heldout_words=["ava", "emma"])
    assert shares == {"train": 0.25, "held-out": 0.25, "new": 0.5}
    with pytest.raises(ValueError):
        memorisation([], ["a"], ["b"])
