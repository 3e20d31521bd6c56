"""Quality against training time: the lecture model (lesson 06) and lesson 09's final MLP, from their recipes in utils."""

from __future__ import annotations

import torch

from utils import FINAL_RECIPE, LECTURE_RECIPE, Vocab, build_dataset, evaluate, load_words, split_words


def measure() -> dict[str, tuple[float, float]]:
    """Return {model: (dev loss, training seconds)} on one thread."""
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)  # as the lessons compute
    words = load_words()
    vocab = Vocab.from_words(words)
    train_words, dev_words, _ = split_words(words, seed=42)
    results = {}

    for label, recipe in [("lecture MLP (lesson 06): block 3, 11,897 parameters, SGD, 200,000 x 32", LECTURE_RECIPE),
                          ("final MLP (lesson 09): block 8, 113,315 parameters, AdamW, 6,000 x 256", FINAL_RECIPE)]:
        X, Y = build_dataset(train_words, recipe.config.block_size, vocab)
        Xd, Yd = build_dataset(dev_words, recipe.config.block_size, vocab)
        model, history = recipe.train(X, Y, progress=False)
        results[label] = (evaluate(model, Xd, Yd), history.seconds)
    return results
