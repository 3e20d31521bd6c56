"""Helpers shared by the makemore-mlp lessons; each is written out and explained in the lesson that teaches it."""

from .data import (BOUNDARY, NAMES_PATH, NAMES_SHA256, NAMES_URL, DataError, Vocab, build_dataset,
                   context_windows, download, duplicate_words, free_boundary, load_words, read_words, sha256_of,
                   split_words, unique_words)
from .checkpoint import CheckpointError, as_storable, load_checkpoint, save_checkpoint
from .exercises import check
from .losses import cross_entropy, softmax
from .model import LECTURE_SEED, MLP, ModelConfig, count_parameters
from .sample import CUT_MARKER, default_max_length, log_likelihood, memorisation, sample
from .train import (History, LRSweep, TrainingDiverged, bigram_counts, bigram_loss, evaluate, find_lr, train,
                    warmup_cosine)

__all__ = [
    "BOUNDARY", "NAMES_PATH", "NAMES_SHA256", "NAMES_URL", "DataError", "Vocab", "build_dataset",
    "context_windows", "download", "duplicate_words", "free_boundary", "load_words", "read_words", "sha256_of",
    "split_words", "unique_words",
    "CheckpointError", "as_storable", "load_checkpoint", "save_checkpoint",
    "check",
    "cross_entropy", "softmax",
    "LECTURE_SEED", "MLP", "ModelConfig", "count_parameters",
    "CUT_MARKER", "default_max_length", "log_likelihood", "memorisation", "sample",
    "History", "LRSweep", "TrainingDiverged", "bigram_counts", "bigram_loss", "evaluate", "find_lr", "train",
    "warmup_cosine",
]
