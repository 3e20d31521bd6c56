"""The whole pipeline on a real-world word list: dots, capitals, accents, digits, spaces, repeats, a long entry."""

import math
import random
import unicodedata

import pytest
import torch

from utils import (CUT_MARKER, MLP, ModelConfig, Vocab, build_dataset, default_max_length, duplicate_words,
                   free_boundary, load_checkpoint, load_words, log_likelihood, memorisation, sample,
                   save_checkpoint, split_words, train)

LONG = ("Ka" + "lomirasentuvelzo" * 4)[:60]  # a 60-character entry
BROKEN_LINE = "Nova\u2028Scotia"  # U+2028 and U+0085 are line breaks to str.splitlines, not to a word list
NEXT_LINE = "Fin\x85mark"


def made_up_entries(seed: int = 0) -> list[str]:
    """About 300 made-up entries of the kinds a teacher's list holds, each kind several times."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ra", "sen", "tu", "vel", "zo", "an", "bri", "dor", "el"]

    def name() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3)))

    kinds = [
        lambda: f"St. {name().capitalize()}",  # '.' inside an entry
        lambda: f"{name()}.com",
        lambda: f"{name()}_{rng.randint(0, 99)}",  # usernames
        lambda: f"{name().capitalize()}-{name().capitalize()}",
        lambda: f"O'{name().capitalize()}",
        lambda: f"Port {name().capitalize()}",
        lambda: f"{name().capitalize()}{rng.choice('éñüø')}",  # composed accents
        lambda: unicodedata.normalize("NFD", f"{name()}é"),  # decomposed: e + U+0301
        lambda: name(),
    ]
    entries = [rng.choice(kinds)() for _ in range(280)]
    entries += [LONG, BROKEN_LINE, NEXT_LINE, "Zoë", unicodedata.normalize("NFD", "Zoë")]  # the same word twice, typed two ways
    entries += rng.sample(entries, 20)  # repeats
    rng.shuffle(entries)
    return entries


@pytest.fixture
def word_file(tmp_path):
    """The entries in a UTF-8 file with a byte-order mark, Windows line ends in its first half, and blank lines."""
    entries = made_up_entries()
    half = len(entries) // 2
    text = "\ufeff" + "\r\n".join(entries[:half]) + "\r\n\r\n" + "\n".join(entries[half:]) + "\n\n"
    path = tmp_path / "places_and_handles.txt"
    path.write_bytes(text.encode("utf-8"))
    return path, entries


def test_a_real_world_list_loads_as_one_clean_word_per_entry(word_file):
    path, entries = word_file
    words = load_words(path)
    assert len(words) == len(entries)  # no line split at U+2028, no blank entry, no BOM entry
    assert words == [unicodedata.normalize("NFC", e) for e in entries]
    assert {BROKEN_LINE, NEXT_LINE, LONG} <= set(words) and not words[0].startswith("\ufeff")
    assert all(unicodedata.is_normalized("NFC", w) for w in words) and "\u0301" not in "".join(words)
    repeats = duplicate_words(words)
    assert repeats["Zoë"] >= 2 and sum(repeats.values()) - len(repeats) >= 21


def test_the_whole_pipeline_runs_on_a_real_world_list_with_one_option(word_file, tmp_path):
    path, entries = word_file
    words = load_words(path)
    with pytest.raises(ValueError) as info:
        Vocab.from_words(words)
    dotted = sum("." in w for w in words)
    assert str(info.value).startswith(f"{dotted} of {len(words)} words contain the boundary token '.'")
    boundary = free_boundary(words)
    assert f"boundary={boundary!r}" in str(info.value)

    vocab = Vocab.from_words(words, boundary=boundary)  # the one option
    assert vocab.boundary == boundary and "." in vocab.stoi and "\u2028" in vocab.stoi
    train_words, dev_words, test_words = split_words(words, seed=0)
    X, Y = build_dataset(train_words, 3, vocab)
    assert X.shape == (sum(len(w) + 1 for w in train_words), 3)
    model = MLP(ModelConfig(vocab_size=len(vocab), block_size=3, embedding_dim=4, hidden_size=16))
    history = train(model, X, Y, steps=50, progress=False)

    samples = sample(model, vocab, 20, generator=torch.Generator().manual_seed(0))
    assert default_max_length(vocab) == 120  # twice the 60-character entry
    for s in samples:
        body = s.removesuffix(CUT_MARKER)
        assert len(body) <= 120 and set(body) <= set(vocab.itos[1:])
    for word in [LONG, "Zoë", BROKEN_LINE, next(w for w in words if w.startswith("St. "))]:
        assert -math.inf < log_likelihood(model, vocab, word) < 0
    shares = memorisation(samples, train_words, dev_words + test_words)
    assert sum(shares.values()) == pytest.approx(1.0)

    saved = save_checkpoint(tmp_path / "model.pt", model, vocab, extra={"history": history, "words": path})
    loaded, loaded_vocab, extra = load_checkpoint(saved, vocab)
    assert loaded_vocab == vocab and extra["words"] == str(path) and extra["history"]["losses"] == history.losses
    assert sample(loaded, loaded_vocab, 20, generator=torch.Generator().manual_seed(0)) == samples


def test_repeats_leak_into_dev_unless_dropped(word_file):
    words = load_words(word_file[0])
    train_words, dev_words, test_words = split_words(words, seed=0)
    assert set(train_words) & (set(dev_words) | set(test_words))  # the lesson's split keeps every line
    train_words, dev_words, test_words = split_words(words, seed=0, duplicates="drop")
    assert not set(train_words) & (set(dev_words) | set(test_words))
    assert len(train_words) + len(dev_words) + len(test_words) == len(set(words))
