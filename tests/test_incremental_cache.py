"""README: "Cached rows are keyed by the options and a digest of the code, so another option or
another corpuspack processes everything again." Checked with real builds: options that do not
change the output keep the cache; each option that does, another corpuspack version, and an edit of
one source file (a copy of the package run in another interpreter) make every file processed again."""
import os
import shutil
import subprocess
import sys

import pytest

import corpuspack

ARTICLE = "خبر رقم {i} عن الاقتصاد والأسواق في المنطقة العربية، وقال مسؤولون إن الأسعار سترتفع {i} مرة.\n"
N = 12


@pytest.fixture
def dump(tmp_path):
    d = tmp_path / "dump"
    d.mkdir()
    for i in range(N):
        (d / f"{i:03d}_{i:016x}.txt").write_text(ARTICLE.format(i=i) * (3 + i % 4), encoding="utf-8")
    return d


def _processed(result) -> int:
    return result.manifest["work"]["processed"]


# every option that changes the output's bytes, with another value (written by hand)
OUTPUT_OPTIONS = [("splits", (("train", 0.5), ("test", 0.5))), ("near_dedup", "drop"), ("near_dup_threshold", 0.9),
                  ("num_perm", 64), ("shingle_size", 3), ("repeated_line_min_docs", 3),
                  ("repeated_line_min_fraction", 0.5), ("drop_quality", ("noisy",)), ("rows_per_shard", 5),
                  ("row_group_size", 2)]


def test_options_that_change_the_output_invalidate_the_cache_and_others_do_not(dump, tmp_path):
    out = tmp_path / "out"
    base = dict(jobs=1, progress=False)
    assert _processed(corpuspack.build(dump, out, version="1.0.0", **base)) == N
    same = corpuspack.build(dump, out, version="1.0.1", jobs=2, batch_size=3, name="other", progress=True, git=False)
    assert _processed(same) == 0 and same.manifest["work"]["reused"] == N
    for minor, (name, value) in enumerate(OUTPUT_OPTIONS, start=1):  # one cache per output: the last build's
        r = corpuspack.build(dump, out, version=f"1.{minor}.0", **{name: value}, **base)  # after the defaults
        assert _processed(r) == N, name
        assert _processed(corpuspack.build(dump, out, version=f"1.{minor}.1", **base)) == N, name  # and back


def test_another_corpuspack_version_invalidates_the_cache(dump, tmp_path, monkeypatch):
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.0.0", jobs=1, progress=False)
    monkeypatch.setattr(corpuspack, "__version__", "99.0.0")  # (options.fingerprint reads it there)
    assert _processed(corpuspack.build(dump, out, version="1.1.0", jobs=1, progress=False)) == N


def _build_with_package(package_root, dump, out, version):
    done = subprocess.run([sys.executable, "-c", "import sys, corpuspack.cli; assert corpuspack.__file__.startswith("
                           f"{str(package_root)!r}); sys.exit(corpuspack.cli.main(sys.argv[1:]))",
                           "build", str(dump), str(out), "--version", version, "--jobs", "1", "--quiet"],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(package_root)}, timeout=300,
                          cwd=package_root)  # not the checkout: its corpuspack would come first
    assert done.returncode == 0, done.stderr


def test_an_edited_source_file_invalidates_the_cache(dump, tmp_path):
    from conftest import REPO
    from corpuspack.builder.release import versions

    copy = tmp_path / "pkg"
    shutil.copytree(REPO / "corpuspack", copy / "corpuspack", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    _build_with_package(copy, dump, out, "1.0.0")
    _build_with_package(copy, dump, out, "1.1.0")  # the same code, from the same copy: nothing processed
    with open(copy / "corpuspack" / "builder" / "document" / "clean.py", "a", encoding="utf-8") as fh:
        fh.write("\n# an edit that changes nothing but the code\n")
    _build_with_package(copy, dump, out, "1.2.0")
    work = {v: versions.read_manifest(str(out), v)["work"]["processed"] for v in ("1.0.0", "1.1.0", "1.2.0")}
    assert work == {"1.0.0": N, "1.1.0": 0, "1.2.0": N}
