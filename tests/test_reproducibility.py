"""The same numbers on every CPU: a short training run and its samples, under several CPU kernel settings.

PyTorch picks its vector kernels for the processor it runs on (AVX2, AVX-512, ...), and Intel's MKL does the
same for matrix products. In float32 those choices change the last bits of sums, and training amplifies them
until printed losses and sampled names differ from machine to machine. The course computes in float64, where
they do not. Environment variables make one machine stand in for others: ATEN_CPU_CAPABILITY=default forces
PyTorch's plain (non-vectorised) kernels, MKL_CBWR=COMPATIBLE and MKL_ENABLE_INSTRUCTIONS force MKL's
portable code paths.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import utils.data as data

ROOT = Path(__file__).resolve().parent.parent
KERNEL_VARIABLES = ("ATEN_CPU_CAPABILITY", "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA")
# Two settings as far apart as these variables allow. (PyTorch's plain kernels alone, ATEN_CPU_CAPABILITY=default,
# lie between them; the test command is also run with that setting and MKL_CBWR=COMPATIBLE before a release.)
SETTINGS = {
    "this CPU's own kernels": {},
    "all portable, SSE4 at most": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE",
                                   "MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "ONEDNN_MAX_CPU_ISA": "SSE41"},
}

# What a lesson does, in small: the lecture model with SGD (lessons 04-08), then a wider model with dropout and
# AdamW (lesson 09), each evaluated and sampled. Long enough for float32 to drift into the 4th decimal.
PROBE = """
import torch
from utils import MLP, ModelConfig, Vocab, build_dataset, load_words, sample, split_words, train, warmup_cosine

torch.set_num_threads(1)
words = load_words(download_if_missing=False)
vocab = Vocab.from_words(words)
train_words, dev_words, _ = split_words(words, seed=42)
train_words, dev_words = train_words[:8000], dev_words[:1000]  # enough names for float32 to drift, and quick
for config, steps, options in [
    (ModelConfig(), 1500, dict(lr=0.1)),
    (ModelConfig(block_size=5, embedding_dim=8, hidden_size=64, init="scaled", output_scale=0.01, dropout=0.1), 200,
     dict(lr=warmup_cosine(3e-3, 200, warmup_steps=20), optimizer="adamw", weight_decay=0.01, batch_size=64)),
]:
    X, Y = build_dataset(train_words, config.block_size, vocab)
    Xd, Yd = build_dataset(dev_words, config.block_size, vocab)
    model = MLP(config)
    history = train(model, X, Y, steps=steps, eval_every=steps // 3, eval_sets={"dev": (Xd, Yd)}, progress=False,
                    **options)
    print("dev losses:", " ".join(f"{loss:.4f}" for loss in history.eval_losses["dev"]))
    print("samples:", " ".join(sample(model, vocab, 12, generator=torch.Generator().manual_seed(1))))
"""


def run_probe(setting: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_VARIABLES} | setting
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env | {"PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.skipif(not data.NAMES_PATH.exists(), reason="data/names.txt is not present")
def test_printed_losses_and_samples_are_identical_under_every_cpu_kernel_setting():
    outputs = {name: run_probe(setting) for name, setting in SETTINGS.items()}
    reference = outputs["this CPU's own kernels"]
    assert reference.count("dev losses:") == 2 and reference.count("samples:") == 2
    for name, output in outputs.items():
        assert output == reference, f"{name} printed\n{output}\nbut this CPU's own kernels printed\n{reference}"
