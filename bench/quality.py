"""Quality against training time: the lecture model (lesson 06) and lesson 09's final MLP, trained as the lessons train them."""

from __future__ import annotations

import torch

from utils import MLP, ModelConfig, Vocab, build_dataset, evaluate, load_words, split_words, train, warmup_cosine


def measure() -> dict[str, tuple[float, float]]:
    """Return {model: (dev loss, training seconds)} on one thread."""
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)  # as the lessons compute
    words = load_words()
    vocab = Vocab.from_words(words)
    train_words, dev_words, _ = split_words(words, seed=42)
    results = {}

    X, Y = build_dataset(train_words, 3, vocab)
    Xd, Yd = build_dataset(dev_words, 3, vocab)
    model = MLP(ModelConfig(block_size=3, embedding_dim=10, hidden_size=200))
    history = train(model, X, Y, steps=200_000, lr=lambda s: 0.1 if s < 100_000 else 0.01, progress=False)
    results["lecture MLP (lesson 06): block 3, 11,897 parameters, SGD, 200,000 x 32"] = (evaluate(model, Xd, Yd), history.seconds)

    X, Y = build_dataset(train_words, 8, vocab)
    Xd, Yd = build_dataset(dev_words, 8, vocab)
    config = ModelConfig(block_size=8, embedding_dim=24, hidden_size=512, init="scaled", output_scale=0.01, dropout=0.1)
    model = MLP(config)
    history = train(model, X, Y, steps=6000, batch_size=256, lr=warmup_cosine(4e-3, 6000, warmup_steps=6000 // 16),
                    optimizer="adamw", weight_decay=0.01, progress=False)
    results["final MLP (lesson 09): block 8, 113,315 parameters, AdamW, 6,000 x 256"] = (evaluate(model, Xd, Yd), history.seconds)
    return results
