"""Tests of utils.data: loading, downloading, the vocabulary, context windows and the split."""

import hashlib
import http.server
import os
import socket
import struct
import threading
import time
import warnings
from pathlib import Path

import pytest
import torch

import utils.data as data
from utils import (DataError, Vocab, build_dataset, context_windows, download, duplicate_words, free_boundary,
                   load_words, read_words, split_words, unique_words)

WORDS = ["emma", "olivia", "ava", "isabella", "sophia"]
BODY = "\n".join(WORDS).encode()
BODY_SHA = hashlib.sha256(BODY).hexdigest()


# ----------------------------------------------------------------------------
# a local HTTP server on 127.0.0.1 (no test touches the internet)

@pytest.fixture
def server():
    """Serve BODY at /names.txt, a truncated copy at /short.txt, and broken bodies, from 127.0.0.1.

    /cut.txt announces BODY's length but sends 10 bytes; /reset.txt sends 10 bytes then a TCP reset;
    /stall.txt sends 10 bytes then nothing; /trickle.txt sends one byte every 20 ms.
    """
    stop = threading.Event()  # set at teardown: a stalled or trickling handler returns at once

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = {"/names.txt": BODY, "/short.txt": BODY[:10]}.get(self.path)
            broken = self.path in ("/cut.txt", "/reset.txt", "/stall.txt", "/trickle.txt")
            if body is None and not broken:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY) if broken else len(body)))
            self.end_headers()
            if not broken:
                self.wfile.write(body)
            elif self.path == "/trickle.txt":
                for byte in BODY:
                    self.wfile.write(bytes([byte]))
                    if stop.wait(0.02):
                        return
            else:
                self.wfile.write(BODY[:10])
                self.wfile.flush()
                if self.path == "/reset.txt":
                    time.sleep(0.1)  # the client has read the headers: the reset comes during the body
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()  # with a zero linger time, close sends a reset
                elif self.path == "/stall.txt":
                    stop.wait(10)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.handle_error = lambda request, address: None  # the reset handler's closed socket is expected
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    stop.set()
    httpd.shutdown()
    httpd.server_close()


def unused_port_url() -> str:
    """A URL on 127.0.0.1 at a port where nothing listens (a server that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/names.txt"


def test_download_writes_the_verified_file(server, tmp_path):
    dest = download(f"{server}/names.txt", tmp_path / "names.txt", BODY_SHA, progress=False)
    assert dest.read_bytes() == BODY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["names.txt"]  # no temporary file left


def test_download_with_progress_bar_still_writes_the_file(server, tmp_path):
    dest = download(f"{server}/names.txt", tmp_path / "names.txt", BODY_SHA, progress=True)
    assert dest.read_bytes() == BODY


def test_checksum_mismatch_raises_and_leaves_no_file(server, tmp_path):
    with pytest.raises(DataError, match="SHA-256"):
        download(f"{server}/short.txt", tmp_path / "names.txt", BODY_SHA, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_server_down_gives_the_offline_message_and_no_file(tmp_path):
    url = unused_port_url()
    dest = tmp_path / "names.txt"
    with pytest.raises(DataError) as info:
        download(url, dest, BODY_SHA, timeout=5, progress=False)
    message = str(info.value)
    assert "offline" in message and url in message and str(dest) in message
    assert list(tmp_path.iterdir()) == []


def test_http_error_is_reported_clearly(server, tmp_path):
    with pytest.raises(DataError, match="Could not download"):
        download(f"{server}/missing.txt", tmp_path / "names.txt", BODY_SHA, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_not_touched_by_a_failed_download(server, tmp_path):
    dest = tmp_path / "names.txt"
    dest.write_text("keep me")
    with pytest.raises(DataError):
        download(f"{server}/short.txt", dest, BODY_SHA, progress=False)
    assert dest.read_text() == "keep me"


def assert_only(folder: Path, names: list[str]) -> None:
    """The folder holds exactly these files: no temporary file was left behind."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def test_connection_reset_during_the_body_is_a_data_error_with_the_offline_advice(server, tmp_path):
    dest = tmp_path / "names.txt"
    dest.write_text("keep me")
    with pytest.raises(DataError) as info:
        download(f"{server}/reset.txt", dest, None, progress=False)
    assert "offline" in str(info.value) and str(dest) in str(info.value)
    assert dest.read_text() == "keep me"
    assert_only(tmp_path, ["names.txt"])


def test_a_body_that_stalls_times_out_as_a_data_error(server, tmp_path):
    started = time.monotonic()
    with pytest.raises(DataError, match=r"after 10 bytes: TimeoutError\)\.\nAre you offline\?"):
        download(f"{server}/stall.txt", tmp_path / "names.txt", BODY_SHA, timeout=0.3, progress=False)
    assert time.monotonic() - started < 3
    assert_only(tmp_path, [])


def test_a_trickling_server_is_stopped_at_the_deadline(server, tmp_path):
    started = time.monotonic()
    with pytest.raises(DataError, match="took more than 0.5 seconds"):
        download(f"{server}/trickle.txt", tmp_path / "names.txt", None, timeout=5, deadline=0.5, progress=False)
    assert time.monotonic() - started < 3
    assert_only(tmp_path, [])


def test_a_body_shorter_than_its_content_length_is_refused_without_a_checksum(server, tmp_path):
    dest = tmp_path / "names.txt"
    dest.write_text("keep me")
    with pytest.raises(DataError, match=f"stopped after 10 of {len(BODY)} bytes"):
        download(f"{server}/cut.txt", dest, None, progress=False)
    assert dest.read_text() == "keep me"
    assert_only(tmp_path, ["names.txt"])


@pytest.fixture
def umask_027():
    """Run a test with umask 027, so a new file's usual mode is 0o640."""
    old = os.umask(0o027)
    yield
    os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_downloaded_file_gets_the_usual_mode_of_a_new_file(server, tmp_path, umask_027):
    dest = download(f"{server}/names.txt", tmp_path / "names.txt", BODY_SHA, progress=False)
    assert dest.stat().st_mode & 0o777 == 0o640  # 0o666 & ~umask, not mkstemp's 0o600


@pytest.fixture
def fake_names_path(tmp_path, monkeypatch):
    """Point the default data/names.txt at a temporary folder."""
    path = tmp_path / "data" / "names.txt"
    monkeypatch.setattr(data, "NAMES_PATH", path)
    return path


def test_load_words_downloads_when_missing(server, fake_names_path):
    words = load_words(url=f"{server}/names.txt", sha256=BODY_SHA, progress=False)
    assert words == WORDS
    assert fake_names_path.read_bytes() == BODY


def test_load_words_offline_names_path_and_url(fake_names_path):
    url = unused_port_url()
    with pytest.raises(DataError) as info:
        load_words(url=url, sha256=BODY_SHA, progress=False)
    assert str(fake_names_path) in str(info.value) and url in str(info.value)
    assert not fake_names_path.exists()


def test_corrupted_names_file_is_reported_and_kept(fake_names_path):
    fake_names_path.parent.mkdir(parents=True)
    fake_names_path.write_bytes(BODY[:-3])
    with pytest.raises(DataError, match="not the expected names.txt"):
        load_words(sha256=BODY_SHA, progress=False)
    assert fake_names_path.read_bytes() == BODY[:-3]  # nothing is lost


def test_missing_file_without_download_says_where_to_put_it(fake_names_path):
    with pytest.raises(DataError, match="missing"):
        load_words(download_if_missing=False)


def test_real_names_file_has_the_documented_shape():
    if not data.NAMES_PATH.exists():
        pytest.skip("data/names.txt is not present")
    words = load_words()
    assert len(words) == 32_033 and len(set(words)) == 29_494
    assert min(map(len, words)) == 2 and max(map(len, words)) == 15


def test_loading_names_gives_the_same_words_vocab_split_and_dataset_silently(capfd):
    if not data.NAMES_PATH.exists():
        pytest.skip("data/names.txt is not present")
    digest = lambda words: hashlib.sha256("\n".join(words).encode()).hexdigest()[:16]  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        words = load_words()
        vocab = Vocab.from_words(words)
        parts = split_words(words, seed=42)
        X, Y = build_dataset(words, 3, vocab)
    assert capfd.readouterr() == ("", "")  # lessons store what is printed: loading names.txt prints nothing
    assert digest(words) == "0a30b5557f192f32" and "".join(vocab.itos) == ".abcdefghijklmnopqrstuvwxyz"
    assert [digest(p) for p in parts] == ["7e9ca5fa01341b98", "3097363dfec5299f", "0a4f4bc22c027371"]
    assert [len(p) for p in parts] == [25_626, 3_203, 3_204]
    assert hashlib.sha256(X.numpy().tobytes() + Y.numpy().tobytes()).hexdigest()[:16] == "8b69cbe747c7b97a"


def test_names_file_repeats_2539_lines():
    if not data.NAMES_PATH.exists():
        pytest.skip("data/names.txt is not present")
    repeats = duplicate_words(load_words())
    assert sum(repeats.values()) - len(repeats) == 32_033 - 29_494
    assert list(repeats)[:2] == ["emma", "olivia"]


# ----------------------------------------------------------------------------
# any word list

def test_a_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("\ufeffanna\nbob\n".encode())
    assert read_words(path) == ["anna", "bob"]


def test_only_newline_ends_a_line(tmp_path):
    path = tmp_path / "words.txt"
    path.write_bytes("st\u2028albert\r\nnext\x85line\nold\rmac\n".encode())
    assert read_words(path) == ["st\u2028albert", "next\x85line", "old\rmac"]


def test_decomposed_accents_become_one_character_when_reading(tmp_path):
    path = tmp_path / "words.txt"
    composed, decomposed = "jos\u00e9", "jose\u0301"
    path.write_text(f"{composed}\n{decomposed}\n", encoding="utf-8")
    assert read_words(path) == [composed, composed]
    assert read_words(path, normalize=None) == [composed, decomposed]
    assert load_words(path, normalize="NFKC") == [composed, composed]
    with pytest.raises(ValueError, match="normalize"):
        read_words(path, normalize="nfc")


def test_duplicate_words_counts_each_repeated_word_in_first_seen_order():
    assert duplicate_words(["bo", "al", "bo", "cy", "al", "bo"]) == {"bo": 3, "al": 2}
    assert duplicate_words(["al", "bo"]) == {}


def test_unique_words_keeps_first_occurrences_in_order():
    assert unique_words(["bo", "al", "bo", "cy", "al"]) == ["bo", "al", "cy"]


def test_split_can_drop_duplicates_so_no_word_is_in_two_splits():
    words = [f"w{i % 40}" for i in range(200)]  # 40 words, each 5 times
    kept = split_words(words, seed=0)
    dropped = split_words(words, seed=0, duplicates="drop")
    assert set(kept[0]) & set(kept[1])  # with every line kept, dev repeats training words
    assert [len(p) for p in dropped] == [32, 4, 4] and len(set(sum(dropped, []))) == 40
    assert not set(dropped[0]) & (set(dropped[1]) | set(dropped[2]))
    with pytest.raises(ValueError, match="duplicates"):
        split_words(words, duplicates="merge")


def test_read_words_strips_whitespace_and_skips_blank_lines(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("  anna \n\n\tbob\r\n   \ncarl_2\n")
    assert read_words(path) == ["anna", "bob", "carl_2"]


def test_custom_word_list_with_digits_and_underscore_builds_its_own_vocab(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("r2d2\nc_3po\nBB8\n")
    words = load_words(path)
    vocab = Vocab.from_words(words)
    assert vocab.itos == (".", "2", "3", "8", "B", "_", "c", "d", "o", "p", "r")
    assert vocab.decode(vocab.encode("c_3po")) == "c_3po"


def test_missing_custom_path_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="No word list"):
        load_words(tmp_path / "nope.txt")


def test_binary_file_is_a_clear_error(tmp_path):
    path = tmp_path / "words.bin"
    path.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(DataError, match="not a UTF-8 text file"):
        load_words(path)


def test_empty_word_list_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("\n  \n")
    with pytest.raises(DataError, match="no words"):
        load_words(path)


# ----------------------------------------------------------------------------
# vocabulary

def test_vocab_puts_the_boundary_token_first_then_sorted_characters():
    vocab = Vocab.from_words(WORDS)
    assert vocab.itos[0] == "." and list(vocab.itos[1:]) == sorted(set("".join(WORDS)))
    assert vocab.stoi["."] == 0 and len(vocab) == len(vocab.itos)


def test_encode_decode_round_trip():
    vocab = Vocab.from_words(WORDS)
    for word in WORDS:
        assert vocab.decode(vocab.encode(word)) == word


def test_word_with_boundary_token_is_rejected():
    vocab = Vocab.from_words(WORDS)
    with pytest.raises(ValueError, match=r"'em\.ma'.*boundary token"):
        vocab.encode("em.ma")
    with pytest.raises(ValueError, match="boundary token"):
        Vocab.from_words(["ok", "not.ok"])


def test_word_with_unknown_character_is_rejected_naming_word_and_character():
    vocab = Vocab.from_words(WORDS)
    with pytest.raises(ValueError, match=r"'zoë'.*'z'"):
        vocab.encode("zoë")


def test_unknown_character_error_gives_the_code_point_and_not_the_vocabulary():
    vocab = Vocab.from_words(WORDS)
    with pytest.raises(ValueError) as info:
        vocab.encode("ava\u00e9")
    message = str(info.value)
    assert "'ava\u00e9'" in message and "'\u00e9' (U+00E9)" in message and "abcdefghijklmnopqrstuvwxyz" not in message
    assert "hijl" not in message  # no run of the vocabulary's characters


def test_unknown_combining_mark_suggests_nfc():
    vocab = Vocab.from_words(["jos\u00e9", "joe"])
    with pytest.raises(ValueError, match=r"U\+0301.*NFC"):
        vocab.encode("jose\u0301")


def test_a_long_word_is_shortened_in_error_messages():
    vocab = Vocab.from_words(WORDS)
    with pytest.raises(ValueError) as info:
        vocab.encode("a" * 5000 + "q")
    assert len(str(info.value)) < 200 and "5001 characters" in str(info.value)


def test_boundary_clash_counts_every_word_shows_a_few_and_names_a_free_boundary():
    words = ["st. albert", "reddit.com", "a.b", "c.d", "plain", "reddit.com"]
    with pytest.raises(ValueError) as info:
        Vocab.from_words(words)
    message = str(info.value)
    assert message.startswith("5 of 6 words contain the boundary token '.'")
    assert "'st. albert', 'reddit.com', 'a.b'" in message and "'c.d'" not in message
    assert "Vocab.from_words(words, boundary='|')" in message


def test_another_boundary_makes_the_dot_an_ordinary_character():
    words = ["st. albert", "reddit.com"]
    vocab = Vocab.from_words(words, boundary="|")
    assert vocab.boundary == "|" and vocab.itos[0] == "|" and "." in vocab.stoi
    assert vocab.decode(vocab.encode("st. albert")) == "st. albert"
    assert [vocab.decode(c) for c, _ in context_windows("a.", 2, vocab)] == ["||", "|a", "a."]
    with pytest.raises(ValueError, match="boundary token '\\|'"):
        vocab.encode("a|b")


def test_free_boundary_skips_characters_of_the_data():
    assert free_boundary(["abc"]) == "|"
    assert free_boundary(["a|b#c"]) == "~"
    everything = data.BOUNDARY_CANDIDATES + "\ue000"
    assert free_boundary([everything]) == "\ue001"  # then the private-use area


@pytest.mark.parametrize("boundary", ["", "||", 0])
def test_the_boundary_is_one_character(boundary):
    with pytest.raises(ValueError, match="one character"):
        Vocab.from_words(WORDS, boundary=boundary)


def test_vocab_remembers_its_longest_word_without_changing_equality():
    vocab = Vocab.from_words(WORDS)
    assert vocab.max_word_length == len("isabella") and Vocab(vocab.itos) == vocab
    with pytest.raises(ValueError, match="single characters"):
        Vocab((".", "ab"))


def test_decode_rejects_out_of_range_indices():
    vocab = Vocab.from_words(WORDS)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.decode([1, 99])


# ----------------------------------------------------------------------------
# context windows

def test_context_windows_of_emma_block_3():
    vocab = Vocab.from_words(WORDS)
    pairs = context_windows("emma", 3, vocab)
    shown = [(vocab.decode(c), vocab.itos[y]) for c, y in pairs]
    assert shown == [("...", "e"), ("..e", "m"), (".em", "m"), ("emm", "a"), ("mma", ".")]


def test_build_dataset_shapes_dtypes_and_rows():
    vocab = Vocab.from_words(WORDS)
    X, Y = build_dataset(WORDS, 3, vocab)
    n = sum(len(w) + 1 for w in WORDS)
    assert X.shape == (n, 3) and Y.shape == (n,)
    assert X.dtype == torch.int64 and Y.dtype == torch.int64
    assert X[0].tolist() == [0, 0, 0] and vocab.itos[Y[0]] == "e"


@pytest.mark.parametrize("block_size", [0, -1])
def test_block_size_below_one_raises(block_size):
    vocab = Vocab.from_words(WORDS)
    with pytest.raises(ValueError, match="block_size"):
        build_dataset(WORDS, block_size, vocab)


def test_build_dataset_on_names_has_228146_rows():
    if not data.NAMES_PATH.exists():
        pytest.skip("data/names.txt is not present")
    words = load_words()
    X, Y = build_dataset(words, 3, Vocab.from_words(words))
    assert X.shape == (228_146, 3) and len(Vocab.from_words(words)) == 27


# ----------------------------------------------------------------------------
# split

def test_split_is_seeded_and_does_not_touch_global_random_or_input():
    import random
    words = [f"w{i}" for i in range(100)]
    original = list(words)
    state = random.getstate()
    a = split_words(words, seed=42)
    assert random.getstate() == state and words == original
    assert a == split_words(words, seed=42) and a != split_words(words, seed=1)
    assert [len(part) for part in a] == [80, 10, 10]
    assert sorted(sum(a, [])) == sorted(words)


def test_split_rejects_bad_fractions():
    with pytest.raises(ValueError):
        split_words(WORDS, train=0.9, dev=0.2)


def test_split_on_names_matches_the_curriculum_example_counts():
    if not data.NAMES_PATH.exists():
        pytest.skip("data/names.txt is not present")
    words = load_words()
    vocab = Vocab.from_words(words)
    sizes = [build_dataset(part, 3, vocab)[0].shape[0] for part in split_words(words)]
    assert sizes == [182_625, 22_655, 22_866]
