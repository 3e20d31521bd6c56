"""Helpers shared by the makemore-mlp lessons; each is written out and explained in the lesson that teaches it."""

from .data import (BOUNDARY, NAMES_PATH, NAMES_SHA256, NAMES_URL, DataError, Vocab, build_dataset,
                   context_windows, download, duplicate_words, free_boundary, load_words, read_words, sha256_of,
                   split_words, unique_words)
from .checkpoint import CHECKPOINTS_DIR, CheckpointError, as_storable, load_checkpoint, save_checkpoint
from .exercises import check
from .losses import cross_entropy, softmax
from .model import LECTURE_SEED, MLP, ModelConfig, NeuralLM, count_parameters
from .sample import CUT_MARKER, default_max_length, log_likelihood, memorisation, sample, sort_samples
from .bigram import bigram_counts, bigram_loss
from .learning_rate import LRSweep, find_lr, warmup_cosine
from .training import History, TrainingDiverged, evaluate, train
from .recipes import FINAL_RECIPE, LECTURE_RECIPE, Recipe
from .studies import load_study

# What the lessons use. The rest above (the data file's constants, the error classes, download and checksum, the
# word-list helpers, checkpoint storage, the seed) stays importable by name, for tests and for your own word lists.
__all__ = [
    "Vocab", "build_dataset", "context_windows", "load_words", "split_words",
    "CHECKPOINTS_DIR", "load_checkpoint", "save_checkpoint",
    "check",
    "cross_entropy", "softmax",
    "MLP", "ModelConfig", "count_parameters",
    "CUT_MARKER", "log_likelihood", "memorisation", "sample", "sort_samples",
    "bigram_loss",
    "find_lr", "warmup_cosine",
    "History", "TrainingDiverged", "evaluate", "train",
    "FINAL_RECIPE", "LECTURE_RECIPE",
    "load_study",
]
