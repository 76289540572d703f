"""--include/--exclude select what they say, over folders and archive members alike; hidden
files and version-control folders are skipped and counted; the patterns key the cache."""
import json
import tarfile

import pytest

import corpuspack
from corpuspack.builder.document.inputs.select import Selector
from corpuspack.builder.options import BuildOptions
from dump_forms import build_report, published

TEXT = "خبر عن {} في المدينة: أعلنت البلدية اليوم عن افتتاح حديقة عامة جديدة قرب السوق القديم.\n"
FILES = ["notes.txt", "news/a.txt", "news/b.md", "news/2024/c.txt", "drafts/d.txt", "drafts/e.txt.bak",
         ".hidden.txt", "news/.cache/f.txt", ".git/config", ".git/objects/ab/cdef", ".svn/entries", "news/.hg/store"]


@pytest.fixture
def dump(tmp_path):
    root = tmp_path / "dump"
    for i, rel in enumerate(FILES):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(TEXT.format(i), encoding="utf-8")
    return root


@pytest.mark.parametrize("include,exclude,expected", [
    ((), (), ["drafts/d.txt", "drafts/e.txt.bak", "news/2024/c.txt", "news/a.txt", "news/b.md", "notes.txt"]),
    (("*.txt",), (), ["drafts/d.txt", "news/2024/c.txt", "news/a.txt", "notes.txt"]),
    (("news/**",), (), ["news/2024/c.txt", "news/a.txt", "news/b.md"]),
    (("news/*",), (), ["news/a.txt", "news/b.md"]),
    (("*.txt",), ("drafts/**",), ["news/2024/c.txt", "news/a.txt", "notes.txt"]),
    ((), ("*.bak", "*.md"), ["drafts/d.txt", "news/2024/c.txt", "news/a.txt", "notes.txt"]),
    (("*.txt", "*.md"), ("news/2024/*",), ["drafts/d.txt", "news/a.txt", "news/b.md", "notes.txt"]),
])
def test_patterns_select_what_they_say(dump, tmp_path, include, exclude, expected):
    out = tmp_path / "out"
    result = corpuspack.build(dump, out, jobs=1, progress=False, include=include, exclude=exclude)
    assert sorted(published(out).column("file_name").to_pylist()) == expected
    skipped = build_report(out)["inputs"]["skipped"]
    assert skipped.get("excluded", 0) == 6 - len(expected)
    assert (skipped["hidden"], skipped["vcs"]) == (2, 4)
    written = json.loads((out / "versions" / "1.0.0" / "manifest.json").read_text())["options"]
    assert (written["include"], written["exclude"]) == (list(include), list(exclude))
    assert result.counts["found"] == len(expected)


def test_the_same_patterns_apply_to_archive_members(dump, tmp_path):
    archive = tmp_path / "dump.tar"
    with tarfile.open(archive, "w") as tar:
        for rel in FILES:
            tar.add(dump / rel, arcname=rel)
    out = tmp_path / "out"
    corpuspack.build(archive, out, jobs=1, progress=False, include=("*.txt",), exclude=("drafts/**",))
    assert sorted(published(out).column("file_name").to_pylist()) == ["news/2024/c.txt", "news/a.txt", "notes.txt"]
    assert build_report(out)["inputs"]["skipped"] == {"excluded": 3, "hidden": 2, "vcs": 4}


def test_patterns_key_the_incremental_cache(dump, tmp_path):
    out = tmp_path / "out"
    corpuspack.build(dump, out, jobs=1, progress=False, version="1.0.0")
    again = corpuspack.build(dump, out, jobs=1, progress=False, version="1.0.1", exclude=("*.md",))
    assert again.manifest["work"]["reused"] == 0  # other options: nothing taken from the cache
    assert BuildOptions(include=("*.txt",)).fingerprint() != BuildOptions().fingerprint()
    assert BuildOptions(exclude=("*.txt",)).fingerprint() != BuildOptions(include=("*.txt",)).fingerprint()


def test_skip_reasons():
    s = Selector(include=("*.txt",), exclude=("tmp/**",))
    assert s.skip_reason("a/b.txt") is None
    assert s.skip_reason(".git/HEAD") == "vcs"
    assert s.skip_reason(".git") == "hidden"  # a worktree's .git file
    assert s.skip_reason(".git/refs/heads/main") == "vcs"
    assert s.skip_reason("x/.svn/entries") == "vcs"
    assert s.skip_reason("x/.env") == "hidden"
    assert s.skip_reason("b.md") == "excluded"
    assert s.skip_reason("tmp/c.txt") == "excluded"


def test_the_command_line_passes_the_patterns_and_names_what_it_cannot_read(dump, tmp_path, capsys):
    from corpuspack.cli import main
    out = tmp_path / "out"
    assert main(["build", str(dump), str(out), "--jobs", "1", "--quiet",
                 "--include", "*.txt", "--include", "*.md", "--exclude", "news/2024/*"]) == 0
    assert sorted(published(out).column("file_name").to_pylist()) == ["drafts/d.txt", "news/a.txt", "news/b.md", "notes.txt"]
    capsys.readouterr()
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.7")
    assert main(["build", str(report), str(tmp_path / "o2"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is not a folder, an archive" in err and ".tar.gz" in err and ".jsonl" in err
