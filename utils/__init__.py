"""Helpers shared by the makemore-mlp lessons; each is written out and explained in the lesson that teaches it."""

from .data import (BOUNDARY, NAMES_PATH, NAMES_SHA256, NAMES_URL, DataError, Vocab, build_dataset,
                   context_windows, download, load_words, read_words, sha256_of, split_words)
from .exercises import check

__all__ = [
    "BOUNDARY", "NAMES_PATH", "NAMES_SHA256", "NAMES_URL", "DataError", "Vocab", "build_dataset",
    "context_windows", "download", "load_words", "read_words", "sha256_of", "split_words",
    "check",
]
