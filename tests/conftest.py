import os
import signal
import socket
from pathlib import Path

import pytest
from hypothesis import settings

# property tests: a fixed derandomized run (same cases on every machine), no example database
# written into the checkout, no per-example deadline (the machine is shared and noisy)
settings.register_profile("corpuspack", derandomize=True, database=None, deadline=None, max_examples=200)
settings.load_profile("corpuspack")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01: reproducible release dates

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "seeds"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def output_files(folder, cache: bool = False) -> dict[str, bytes]:
    """Every file of a build's output (data, card, manifests, reports) by relative path, with its
    bytes; .cache/ is build-internal and left out unless ``cache``."""
    return {os.path.relpath(os.path.join(d, f), folder): open(os.path.join(d, f), "rb").read()
            for d, _, fs in os.walk(folder) for f in fs
            if cache or os.path.relpath(d, folder).split(os.sep)[0] != ".cache"}


def edited_seeds(dump: Path) -> Path:
    """The seeds copied to ``dump`` with the first article edited (a sentence added), for a next version."""
    import shutil

    shutil.copytree(SEEDS, dump)
    first = sorted(dump.iterdir())[0]
    first.write_bytes(first.read_bytes() + "\nوأضاف المتحدث أن الاجتماع المقبل سيعقد في دمشق.\n".encode("utf-8"))
    return dump


def staged_build(root: Path, docs: int, seed: int) -> tuple[str, list[int]]:
    """A build (one process, stage batches of 16 rows, repeated lines from 4 documents) of ``docs``
    generated documents written under ``root/dump`` into ``root/out``: its stage file and the
    rows of each of its batches."""
    import corpuspack
    from corpus_gen import generate_corpus
    from corpuspack.builder.corpus.stage import read_batches

    dump = root / "dump"
    dump.mkdir()
    for name, text, _ in generate_corpus(docs, seed, dup_rate=0.05, near_dup_rate=0.1):
        (dump / name).write_text(text, encoding="utf-8")
    corpuspack.build(dump, root / "out", jobs=1, batch_size=16, progress=False, repeated_line_min_docs=4)
    stage = str(min((root / "out" / ".cache").glob("stage-*.arrow"), key=lambda p: len(p.name)))
    return stage, [b.num_rows for b in read_batches(stage, ["_controls"])]


def default_sigint():
    """For ``preexec_fn``: the child handles Ctrl-C as in a terminal, even under a test runner (or a
    shell's background job) that ignores SIGINT (an ignored signal stays ignored across exec, and
    Python then installs no handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture
def hf_cache(tmp_path) -> str:
    return str(tmp_path / "hf-cache")
