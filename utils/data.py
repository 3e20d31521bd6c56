"""Loading the word list, the character vocabulary, context windows and the train/dev/test split."""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import secrets
import time
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Literal, Sequence

import torch

# ----------------------------------------------------------------------------
# the dataset file

NAMES_URL = "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt"
NAMES_SHA256 = "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
NAMES_PATH = DATA_DIR / "names.txt"


class DataError(RuntimeError):
    """The data file is missing, cannot be downloaded, or is not what it should be."""


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def new_temp_file(dest: Path) -> tuple[int, Path]:
    """Create an empty hidden file beside `dest` with a new file's usual mode (0o666 & ~umask); return (fd, path)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = dest.parent / f".{dest.name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, flags, 0o666), tmp  # the umask applies, as for any new file
        except FileExistsError:
            continue


def _by_hand(url: str, dest: Path) -> str:
    return f"download the file by hand from\n    {url}\nand save it as\n    {dest}"


def _offline(url: str, dest: Path, reason: object) -> DataError:
    return DataError(f"Could not download {dest.name} from {url} ({reason}).\n"
                     f"Are you offline? Either connect to the internet and run this again, or "
                     + _by_hand(url, dest))


def download(url: str, dest: Path, sha256: str | None = None, *, timeout: float = 30.0,
             deadline: float = 600.0, progress: bool = True) -> Path:
    """Download `url` to `dest` atomically, checking its length and SHA-256; raise DataError on failure.

    `timeout` bounds each network read, `deadline` the whole download (checked after each read).
    A failed download leaves no temporary file and never replaces an existing `dest`. Taught in lesson 01.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # A temporary file beside the destination, renamed into place only once complete and verified:
    # an interrupted or corrupted download never leaves a partial `dest` behind.
    fd, tmp = new_temp_file(dest)
    try:
        with os.fdopen(fd, "wb") as out:
            digest, size, expected = _fetch(url, dest, out, timeout=timeout, deadline=deadline, progress=progress)
            out.flush()
            os.fsync(out.fileno())
        if expected is not None and size != expected:
            raise DataError(f"The download of {dest.name} from {url} stopped after {size:,} of {expected:,} bytes, "
                            f"so it was not saved. Try again later, or " + _by_hand(url, dest))
        if sha256 is not None and digest != sha256:
            raise DataError(
                f"The file downloaded from {url} has SHA-256 {digest}, "
                f"but {sha256} was expected, so it was not saved. "
                f"The download may have been cut short or changed on the way; try again later, or "
                f"put a correct copy at {dest} by hand."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _fetch(url: str, dest: Path, out: BinaryIO, *, timeout: float, deadline: float,
           progress: bool) -> tuple[str, int, int | None]:
    """Copy the body of `url` into `out`; return (hex SHA-256, bytes received, Content-Length or None)."""
    started = time.monotonic()
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _offline(url, dest, getattr(exc, "reason", exc)) from None
    digest, size = hashlib.sha256(), 0
    with response:
        expected = _content_length(response.headers.get("Content-Length"))
        read = getattr(response, "read1", response.read)  # read1 returns what has arrived, so the deadline is
        # checked after every network read, not once per 32 KiB
        with _download_bar(progress, dest.name, expected) as advance:
            while True:
                try:
                    chunk = read(1 << 15)
                except (OSError, http.client.HTTPException) as exc:  # reset, timed out, or cut off mid-body
                    raise _offline(url, dest, f"the connection failed after {size:,} bytes: "
                                              f"{type(exc).__name__}") from None
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                advance(len(chunk))
                if time.monotonic() - started > deadline:
                    raise DataError(f"Downloading {dest.name} from {url} took more than {deadline:g} seconds "
                                    f"({size:,} bytes so far), so it was stopped. Try again on a faster "
                                    f"connection, or " + _by_hand(url, dest))
    return digest.hexdigest(), size, expected


def _content_length(header: str | None) -> int | None:
    """The Content-Length header as a number of bytes, or None when it is missing or not a number."""
    try:
        return int(header) if header is not None and int(header) >= 0 else None
    except ValueError:
        return None


class _download_bar:
    """A transient rich progress bar for a download (or nothing when `enabled` is False)."""

    def __init__(self, enabled: bool, name: str, total: int | None):
        self.enabled, self.name, self.total = enabled, name, total

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

        self.bar = Progress(*Progress.get_default_columns()[:3], DownloadColumn(),
                            TransferSpeedColumn(), transient=True)
        self.bar.start()
        task = self.bar.add_task(f"downloading {self.name}", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc):
        if self.enabled:
            self.bar.stop()
        return False


Normalization = Literal["NFC", "NFKC"] | None


def read_words(path: Path, *, normalize: Normalization = "NFC") -> list[str]:
    """Read a UTF-8 word list: one word a line, whitespace around it stripped, blank lines skipped. Taught in lesson 01.

    Only '\n' (or '\r\n') ends a line; a leading byte-order mark is dropped; each word is put in Unicode
    `normalize` form: "NFC" (the default) makes an accented letter one character however it was typed;
    None keeps the file's form.
    """
    path = Path(path)
    if normalize not in ("NFC", "NFKC", None):
        raise ValueError(f"normalize must be 'NFC', 'NFKC' or None, got {normalize!r}.")
    try:
        text = path.read_bytes().decode("utf-8-sig")  # utf-8-sig drops a byte-order mark at the start
    except FileNotFoundError:
        raise DataError(f"No word list at {path}.") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not a UTF-8 text file ({exc.reason} at byte {exc.start}); "
                        f"a word list is plain text, one word a line.") from None
    if normalize is not None:
        text = unicodedata.normalize(normalize, text)
    words = [line.strip() for line in text.split("\n")]  # not splitlines(): a U+2028 inside a word stays there
    words = [w for w in words if w]
    if not words:
        raise DataError(f"{path} holds no words: a word list is plain text, one word a line.")
    return words


def load_words(path: str | Path | None = None, *, download_if_missing: bool = True, url: str = NAMES_URL,
               sha256: str = NAMES_SHA256, progress: bool = True, normalize: Normalization = "NFC") -> list[str]:
    """Return the words of `path` (see read_words), or of data/names.txt, downloaded and verified when missing.

    Taught in lesson 01.
    """
    if path is not None:
        return read_words(Path(path), normalize=normalize)
    target = NAMES_PATH
    if not target.exists():
        if not download_if_missing:
            raise DataError(f"{target} is missing. Download it from {url} and save it there.")
        download(url, target, sha256, progress=progress)
    actual = sha256_of(target)
    if actual != sha256:
        raise DataError(
            f"{target} is not the expected names.txt: its SHA-256 is {actual}, not {sha256}. "
            f"It may be truncated or edited. Move it aside (nothing is deleted for you) and run this "
            f"again to download a fresh copy from {url}. To use a word list of your own on purpose, "
            f"pass its path: load_words('my_words.txt')."
        )
    return read_words(target, normalize=normalize)


def duplicate_words(words: Iterable[str]) -> dict[str, int]:
    """Return each word that occurs more than once with its count, in order of first occurrence.

    Not in a lesson: for your own word lists (lesson 09, section 5).
    """
    return {word: n for word, n in Counter(words).items() if n > 1}


def unique_words(words: Iterable[str]) -> list[str]:
    """Return `words` without repeats, keeping each word's first occurrence, in order.

    Not in a lesson: for your own word lists (lesson 09, section 5).
    """
    return list(dict.fromkeys(words))


# ----------------------------------------------------------------------------
# the vocabulary: characters <-> integers

BOUNDARY = "."  # the default boundary token: it marks the start and the end of every word
BOUNDARY_CANDIDATES = "|#~^$*@=+/<>%&!?;:,.·¦§¶"  # tried in this order by free_boundary


def _code_point(ch: str) -> str:
    """Return a character's code point written the Unicode way, e.g. 'U+00E9' for 'é'."""
    return f"U+{ord(ch):04X}"


def _shown(word: str, limit: int = 40) -> str:
    """repr(word), shortened in the middle when it is long: error messages name a word without dumping it."""
    if len(word) <= limit:
        return repr(word)
    return f"{word[:limit // 2]!r}…{word[-(limit // 4):]!r} ({len(word)} characters)"


def free_boundary(words: Iterable[str]) -> str:
    """Return a boundary character that occurs in none of `words`: a punctuation mark if one is free.

    Not in a lesson: for your own word lists (lesson 09, section 5).
    """
    used = set().union(*map(set, words))
    for ch in BOUNDARY_CANDIDATES:
        if ch not in used:
            return ch
    return next(chr(cp) for cp in range(0xE000, 0xF900) if chr(cp) not in used)  # the private-use area


@dataclass(frozen=True)
class Vocab:
    """The characters of a word list, sorted, after the boundary token ('.' by default) at index 0. Taught in lesson 01."""

    itos: tuple[str, ...]
    max_word_length: int = field(default=0, repr=False, compare=False)  # longest word it was built from; 0: unknown
    stoi: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.itos:
            raise ValueError("A vocabulary needs at least the boundary token.")
        if not all(isinstance(ch, str) and len(ch) == 1 for ch in self.itos):
            raise ValueError("A vocabulary lists single characters.")
        if len(set(self.itos)) != len(self.itos):
            raise ValueError("A vocabulary cannot list a character twice.")
        longest = self.max_word_length
        if isinstance(longest, bool) or not isinstance(longest, int) or longest < 0:
            raise ValueError(f"max_word_length must be a whole number of at least 0, got {self.max_word_length!r}.")
        object.__setattr__(self, "stoi", {ch: i for i, ch in enumerate(self.itos)})  # character -> index

    @property
    def boundary(self) -> str:
        """The boundary token: index 0, marking the start and end of every word."""
        return self.itos[0]

    @classmethod
    def from_words(cls, words: Iterable[str], boundary: str = BOUNDARY) -> "Vocab":
        """Build the vocabulary from the characters of `words`, with `boundary` (a character not in them) first."""
        if not (isinstance(boundary, str) and len(boundary) == 1):
            raise ValueError(f"The boundary token is one character, got {boundary!r}.")
        words = list(words)
        clashing = [word for word in words if boundary in word]
        if clashing:
            examples = ", ".join(_shown(w) for w in unique_words(clashing)[:3])
            raise ValueError(
                f"{len(clashing):,} of {len(words):,} words contain the boundary token {boundary!r}, e.g. {examples}. "
                f"Choose a boundary that is not in the data, "
                f"e.g. Vocab.from_words(words, boundary={free_boundary(words)!r}).")
        chars = sorted(set("".join(words)))
        return cls((boundary, *chars), max_word_length=max(map(len, words), default=0))

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, word: str) -> list[int]:
        """Turn a word into a list of character indices (no boundary tokens added)."""
        stoi, boundary = self.stoi, self.boundary
        ids = []
        for ch in word:
            if ch == boundary:
                raise ValueError(f"The word {_shown(word)} contains the boundary token {boundary!r}, "
                                 f"which marks the start and end of a word and cannot be inside one.")
            if ch not in stoi:
                hint = ("" if unicodedata.is_normalized("NFC", word) else
                        " The word is not in NFC form: unicodedata.normalize('NFC', word) may fix it.")
                raise ValueError(f"The word {_shown(word)} contains {ch!r} ({_code_point(ch)}), "
                                 f"which is not in the vocabulary.{hint}")
            ids.append(stoi[ch])
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Turn character indices back into a string."""
        ids = [int(i) for i in ids]
        for i in ids:
            if not 0 <= i < len(self.itos):
                raise ValueError(f"Index {i} is outside the vocabulary (0 to {len(self.itos) - 1}).")
        return "".join(self.itos[i] for i in ids)


# ----------------------------------------------------------------------------
# context windows and the split

def context_windows(word: str, block_size: int, vocab: Vocab) -> list[tuple[list[int], int]]:
    """Return the (context, next index) pairs of one word, padded with the boundary token. Taught in lesson 01."""
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1, got {block_size}.")
    context = [0] * block_size
    pairs = []
    for ix in vocab.encode(word) + [0]:
        pairs.append((context, ix))
        context = context[1:] + [ix]
    return pairs


def build_dataset(words: Sequence[str], block_size: int, vocab: Vocab) -> tuple[torch.Tensor, torch.Tensor]:
    """Turn words into X (N, block_size) contexts and Y (N,) next-character targets, int64. Taught in lesson 01."""
    if block_size < 1:
        raise ValueError(f"block_size must be at least 1, got {block_size}.")
    contexts, targets = [], []
    for word in words:
        for context, ix in context_windows(word, block_size, vocab):
            contexts.append(context)
            targets.append(ix)
    X = torch.tensor(contexts, dtype=torch.int64).view(-1, block_size)  # (N, block_size)
    Y = torch.tensor(targets, dtype=torch.int64)  # (N,)
    return X, Y


def split_words(words: Sequence[str], seed: int = 42, train: float = 0.8, dev: float = 0.1, *,
                duplicates: Literal["keep", "drop"] = "keep") -> tuple[list[str], list[str], list[str]]:
    """Shuffle a copy of `words` with `random.Random(seed)` and cut it into train/dev/test lists. Taught in lesson 06.

    duplicates="keep" (the lesson's split) shuffles every line, so a repeated word can land in two splits;
    "drop" keeps only each word's first occurrence, so no word is in two splits.
    """
    if not (0 < train and 0 <= dev and train + dev <= 1):
        raise ValueError(f"train={train} and dev={dev} must be fractions that add up to at most 1.")
    if duplicates not in ("keep", "drop"):
        raise ValueError(f"duplicates must be 'keep' or 'drop', got {duplicates!r}.")
    shuffled = unique_words(words) if duplicates == "drop" else list(words)
    random.Random(seed).shuffle(shuffled)
    n1 = int(train * len(shuffled))
    n2 = int((train + dev) * len(shuffled))
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]
