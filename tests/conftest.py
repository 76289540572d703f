import os
import signal
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


def output_files(folder) -> dict[str, bytes]:
    """Every file of a build's output (data, card, manifests, reports) by relative path, with its
    bytes; .cache/ is build-internal and left out."""
    return {os.path.relpath(os.path.join(d, f), folder): open(os.path.join(d, f), "rb").read()
            for d, _, fs in os.walk(folder) for f in fs if os.path.relpath(d, folder).split(os.sep)[0] != ".cache"}


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
