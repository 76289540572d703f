"""What the Ray-driver tests share (tests/test_ray_stage.py, tests/test_ray_finish.py): a local Ray
instance, a dump of 300 articles of ~10 kB, and the bytes this process has written so far."""
from __future__ import annotations

from pathlib import Path

import pytest
import ray

from corpus_gen import generate_corpus


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def article_dump(folder: Path, seed: int) -> Path:
    """300 articles of ~10 kB each (three generated ones per file) in ``folder``: a stage, and
    finished rows, of a few MB."""
    folder.mkdir()
    docs = generate_corpus(900, seed, dup_rate=0.02, near_dup_rate=0.02, other_lang_rate=0.0)
    for i in range(300):
        text = "\n\n".join(t for _, t, _ in docs[3 * i:3 * i + 3])
        (folder / f"article_{i:04d}.txt").write_text(text, encoding="utf-8")
    return folder


def written() -> int:
    """Bytes this process has asked the kernel to write so far (files, pipes, sockets: every thread)."""
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))
