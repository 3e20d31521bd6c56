"""The MLP language model of Bengio et al. (2003), "A Neural Probabilistic Language Model".

    x = C[context] flattened                      # (B, block_size * embedding_dim)
    h = tanh(x @ W1 + b1)                          # (B, hidden_size)
    logits = h @ W2 + b2  (+ x @ W if direct)      # (B, vocab_size)

The paper writes this as y = b + W x + U tanh(d + H x): here H = W1, d = b1, U = W2, b = b2, and the
optional direct connection W goes straight from the embeddings to the output.

Every parameter is a float64 tensor (DTYPE). In float32 the last bits of a sum depend on the order the
CPU adds in, which differs between processors (AVX2, AVX-512, ...); over thousands of training steps those
differences grow into the third decimal of the loss. In float64 they stay far below the fourth, so every
number the lessons print is the same on every machine. Taught in lessons 02 (the parts) and 04 (float64).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass
from typing import Literal

import torch
from torch import nn

LECTURE_SEED = 2147483647  # the seed the lecture uses for its parameters
DTYPE = torch.float64  # the course computes in float64: the same digits on every CPU (lesson 04)


@dataclass
class ModelConfig:
    """The settings of an MLP language model (lesson 02; `init`, `direct` and `dropout`: lesson 09)."""

    vocab_size: int = 27
    block_size: int = 3  # characters of context
    embedding_dim: int = 10  # m: the size of each character's vector in C
    hidden_size: int = 200  # h: neurons in the tanh layer
    output_scale: float = 1.0  # multiplies W2 and b2 at init; 0.01 starts near the uniform loss
    # "normal": every weight ~ N(0, 1), as in the lecture; "scaled": W1 ~ N(0, 1) * (5/3) / sqrt(fan_in)
    init: Literal["normal", "scaled"] = "normal"
    direct: bool = False  # Bengio's direct connection from the embeddings to the output
    dropout: float = 0.0  # probability of zeroing a hidden unit while training

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "embedding_dim", "hidden_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__}).")
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}.")
        for name in ("output_scale", "dropout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
        if not isinstance(self.direct, bool):  # a string such as "no" would count as true
            raise TypeError(f"direct must be True or False, got {self.direct!r} ({type(self.direct).__name__}).")
        if not (self.output_scale > 0 and math.isfinite(self.output_scale)):
            raise ValueError(f"output_scale must be a positive number, got {self.output_scale}.")
        if self.init not in ("normal", "scaled"):
            raise ValueError(f"init must be 'normal' or 'scaled', got {self.init!r}.")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}.")


class MLP:
    """A character-level MLP: embedding table C, one tanh hidden layer, a linear output layer. Lessons 02 and 04."""

    def __init__(self, config: ModelConfig, seed: int = LECTURE_SEED):
        self.config = config
        V, T, m, h = config.vocab_size, config.block_size, config.embedding_dim, config.hidden_size
        g = torch.Generator().manual_seed(seed)
        # the lecture's recipe (every weight from N(0, 1), in this order, from one seeded generator), drawn in
        # float64: PyTorch draws float32 normals with CPU-specific vector code whose last bits differ between
        # processors, while its float64 draws are the same on every CPU
        self.C = torch.randn((V, m), generator=g, dtype=DTYPE)  # (V, m) one row per character
        self.W1 = torch.randn((T * m, h), generator=g, dtype=DTYPE)  # (T*m, h)
        self.b1 = torch.randn(h, generator=g, dtype=DTYPE)  # (h,)
        self.W2 = torch.randn((h, V), generator=g, dtype=DTYPE) * config.output_scale  # (h, V)
        self.b2 = torch.randn(V, generator=g, dtype=DTYPE) * config.output_scale  # (V,)
        if config.init == "scaled":
            self.W1 *= (5 / 3) / (T * m) ** 0.5  # keeps tanh's inputs near unit size: no saturation at init
            self.b1 *= 0.01
        self.W = torch.zeros((T * m, V), dtype=DTYPE) if config.direct else None  # (T*m, V) direct connection
        self.dropout_generator = torch.Generator().manual_seed(seed + 1)
        self.training = False
        self.diverged = None  # set by train() when a run diverges: where and at which rate
        for p in self.parameters():
            p.requires_grad_(True)

    def parameters(self) -> list[torch.Tensor]:
        """Return the parameter tensors, in a fixed order."""
        params = [self.C, self.W1, self.b1, self.W2, self.b2]
        return params + [self.W] if self.W is not None else params

    def num_parameters(self) -> int:
        """Return the number of scalar parameters."""
        return sum(p.numel() for p in self.parameters())

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        """Return the logits (B, vocab_size) for contexts X (B, block_size)."""
        if X.dim() != 2 or X.shape[1] != self.config.block_size:
            raise ValueError(f"X must have shape (B, {self.config.block_size}), got {tuple(X.shape)}.")
        emb = self.C[X]  # (B, T, m)
        x = emb.view(X.shape[0], -1)  # (B, T*m)
        h = torch.tanh(x @ self.W1 + self.b1)  # (B, h)
        if self.training and self.config.dropout > 0:
            keep = 1.0 - self.config.dropout
            mask = torch.bernoulli(torch.full_like(h, keep), generator=self.dropout_generator)
            h = h * mask / keep  # (B, h)
        logits = h @ self.W2 + self.b2  # (B, V)
        if self.W is not None:
            logits = logits + x @ self.W  # (B, V)
        return logits

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Return the parameters by name (detached copies)."""
        names = ["C", "W1", "b1", "W2", "b2"] + (["W"] if self.W is not None else [])
        return {name: getattr(self, name).detach().clone() for name in names}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Copy parameters by name into this model, checking names and shapes first."""
        own = self.state_dict()
        if set(state) != set(own):
            raise ValueError(f"Parameter names differ: expected {sorted(own)}, got {sorted(state)}.")
        for name, value in state.items():
            if tuple(value.shape) != tuple(own[name].shape):
                raise ValueError(f"Parameter {name} has shape {tuple(value.shape)}, "
                                 f"but this model's is {tuple(own[name].shape)}.")
        with torch.no_grad():
            for name, value in state.items():
                getattr(self, name).copy_(value)
        self.diverged = None  # new parameters: whatever damaged the old ones is gone

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in asdict(self.config).items())
        return f"MLP({settings}; {self.num_parameters():,} parameters)"


def count_parameters(config: ModelConfig) -> int:
    """Return the parameter count of an MLP with these settings, from the formula of lesson 02."""
    V, T, m, h = config.vocab_size, config.block_size, config.embedding_dim, config.hidden_size
    direct = T * m * V if config.direct else 0
    return V * m + (T * m * h + h) + (h * V + V) + direct


class NeuralLM(nn.Module):
    """The MLP of Bengio et al. (2003) as a torch.nn.Module: logits = b + U tanh(d + H x), x = C[context] flattened.

    Written out and explained in lesson 09, section 6; `hidden_layers` > 1 stacks more tanh layers (its depth study).
    """

    def __init__(self, config: ModelConfig, hidden_layers: int = 1):
        super().__init__()
        V, T, m, h = config.vocab_size, config.block_size, config.embedding_dim, config.hidden_size
        self.config = config
        self.embedding = nn.Embedding(V, m)  # C
        self.hidden = nn.ModuleList([nn.Linear(T * m, h)] + [nn.Linear(h, h) for _ in range(hidden_layers - 1)])  # H, d
        self.output = nn.Linear(h, V)  # U, b
        self.dropout_generator = torch.Generator()  # dropout masks from a generator of its own, as utils.MLP draws them

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        x = self.embedding(idx).flatten(1)  # (B, T) -> (B, T, m) -> (B, T*m)
        for layer in self.hidden:
            x = torch.tanh(layer(x))  # (B, h)
            if self.training and self.config.dropout > 0:
                keep = 1 - self.config.dropout
                x = x * torch.bernoulli(torch.full_like(x, keep), generator=self.dropout_generator) / keep
        return self.output(x)  # (B, V) logits
