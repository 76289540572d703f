"""The command line through `corpuspack.cli.main`: every subcommand and every flag of today's
parser, each checked against values written by hand (the options the build received, what the
build wrote), and their errors."""
import json
import os
import shutil
import subprocess

import pytest
from datasets import load_dataset

import corpuspack
from conftest import SEEDS
from corpuspack.builder.options import BuildOptions, default_jobs
from corpuspack.builder.release import versions
from corpuspack.cli import main

ARTICLE = "خبر جديد عن الاقتصاد والأسواق في المنطقة العربية اليوم، وقال مسؤولون إن الأسعار سترتفع.\n" * 3


@pytest.fixture
def spy(monkeypatch):
    """corpuspack.build, recording the options the CLI gives it, then building for real."""
    seen = []
    real = corpuspack.build

    def build(input_dir, output_dir, options=None, **kwargs):
        seen.append((str(input_dir), str(output_dir), options))
        return real(input_dir, output_dir, options, **kwargs)

    monkeypatch.setattr(corpuspack, "build", build)
    return seen


@pytest.fixture
def dump(tmp_path):
    d = tmp_path / "dump"
    shutil.copytree(SEEDS, d)
    return d


def manifest_of(out, version):
    return json.loads((out / "versions" / version / "manifest.json").read_text(encoding="utf-8"))


def test_build_with_every_flag(dump, tmp_path, spy, capsys):
    crawl = tmp_path / "crawl.csv"
    crawl.write_text("file_name,url,section\n000_8de2ff6bbf66210d.txt,https://sana.sy/?p=1,سياسة\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["build", str(dump), str(out), "--version", "1.2.3", "--name", "أخبار", "--jobs", "3",
            "--splits", "train=0.5,test=0.5", "--near-dedup", "drop", "--near-dup-threshold", "0.7",
            "--repeated-line-min-docs", "3", "--repeated-line-min-fraction", "0.25", "--drop-quality", "tiny,noisy",
            "--manifest", str(crawl), "--git", "--rehash", "--quiet"]
    assert main(argv) == 0
    (_, _, options), = spy
    assert options == BuildOptions(
        version="1.2.3", name="أخبار", jobs=3, splits=(("train", 0.5), ("test", 0.5)), near_dedup="drop",
        near_dup_threshold=0.7, repeated_line_min_docs=3, repeated_line_min_fraction=0.25,
        drop_quality=("tiny", "noisy"), manifest=str(crawl), replace=False, git=True, rehash=True, progress=False)
    printed = json.loads(capsys.readouterr().out)  # --quiet: the counts as JSON, no progress bar
    assert printed == {"version": "1.2.3", "counts": {"found": 5, "included": 5, "duplicate": 0, "rejected": 0}}
    m = manifest_of(out, "1.2.3")  # what the build wrote, field by field
    assert m["name"] == "أخبار" and m["version"] == "1.2.3"
    o = m["options"]
    assert (o["splits"], o["near_dedup"], o["near_dup_threshold"], o["repeated_line_min_docs"]) == (
        [["train", 0.5], ["test", 0.5]], "drop", 0.7, 3)
    assert (o["repeated_line_min_fraction"], o["drop_quality"], o["manifest"], o["rehash"]) == (
        0.25, ["tiny", "noisy"], "crawl.csv", True)
    assert set(m["splits"]) == {"train", "test"}
    assert sum(i["num_examples"] for i in m["splits"].values()) == 5
    tags = subprocess.run(["git", "-C", str(out), "tag"], capture_output=True, text=True, check=True).stdout.split()
    assert tags == ["v1.2.3"]  # --git
    rows = {r["file_name"]: r for s in ("train", "test") for r in load_dataset(str(out), split=s, cache_dir=str(tmp_path / "c"))}
    assert rows["000_8de2ff6bbf66210d.txt"]["section"] == "سياسة"  # --manifest joined


def test_build_defaults(dump, tmp_path, spy, capsys):
    out = tmp_path / "out"
    assert main(["build", str(dump), str(out)]) == 0
    (inp, outp, options), = spy
    assert (inp, outp) == (str(dump), str(out))
    assert options == BuildOptions(version=None, name=None, jobs=default_jobs(), splits=(("train", 1.0),),
                                   near_dedup="annotate", drop_quality=(), manifest=None, replace=False, git=False,
                                   rehash=False, progress=True)
    captured = capsys.readouterr()  # no --quiet: a progress bar and the summary on stderr, nothing on stdout
    assert captured.out == "" and f"corpuspack: version 1.0.0 written to {out}" in captured.err
    assert "100%" in captured.err and [l.split() for l in captured.err.splitlines()[-4:]] == [
        ["files", "found", "5"], ["included", "5"], ["duplicates", "0"], ["rejected", "0"]]
    assert versions.list_versions(str(out)) == ["1.0.0"] and not (out / ".git").exists()


def test_drop_quality_and_near_dedup_drop_take_effect(tmp_path):
    """--drop-quality tiny drops a tiny document; --near-dedup drop drops a near duplicate."""
    d = tmp_path / "dump"
    shutil.copytree(SEEDS, d)
    (d / "005_00000000000000a5.txt").write_text("خبر قصير جدا عن الطقس.\n", encoding="utf-8")  # tiny
    seed = (SEEDS / "004_1bc6e33470cacd38.txt").read_text(encoding="utf-8")
    (d / "006_00000000000000a6.txt").write_text(seed.replace("لافروف", "لافروڤ", 1), encoding="utf-8")  # near dup
    base = ["--jobs", "1", "--quiet"]
    assert main(["build", str(d), str(tmp_path / "keep"), *base]) == 0
    assert main(["build", str(d), str(tmp_path / "drop"), "--drop-quality", "tiny", "--near-dedup", "drop", *base]) == 0
    keep, drop = (manifest_of(tmp_path / name, "1.0.0")["counts"] for name in ("keep", "drop"))
    assert keep["included"] == 7
    assert drop["included"] == 5  # the tiny brief and the near duplicate of 004
    report = json.loads((tmp_path / "drop" / "versions" / "1.0.0" / "build_report.json").read_text())
    assert "00000000000000a5" in json.dumps(report) and "00000000000000a6" in json.dumps(report)


def test_replace_rewrites_the_latest_version_and_is_needed_to(dump, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(dump), str(out), "--jobs", "1", "--quiet"]) == 0
    (dump / "005_ffffffffffffffff.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["build", str(dump), str(out), "--version", "1.0.0", "--jobs", "1", "--quiet"]) == 2
    assert "1.0.0" in capsys.readouterr().err
    assert manifest_of(out, "1.0.0")["counts"]["included"] == 5
    assert main(["build", str(dump), str(out), "--version", "1.0.0", "--replace", "--jobs", "1", "--quiet"]) == 0
    assert versions.list_versions(str(out)) == ["1.0.0"]
    assert manifest_of(out, "1.0.0")["counts"]["included"] == 6


def test_rehash_reads_a_file_whose_size_and_mtime_were_kept(dump, tmp_path):
    out = tmp_path / "out"
    assert main(["build", str(dump), str(out), "--jobs", "1", "--quiet"]) == 0
    f = dump / "002_8a7ab05ce1722336.txt"
    st, data = f.stat(), f.read_bytes()
    f.write_bytes(data.replace("واشنطن".encode(), "نيويورك".encode()[:len("واشنطن".encode())]))
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert main(["build", str(dump), str(out), "--version", "1.1.0", "--jobs", "1", "--quiet"]) == 0
    assert manifest_of(out, "1.1.0")["work"]["processed"] == 0
    assert main(["build", str(dump), str(out), "--version", "1.2.0", "--rehash", "--jobs", "1", "--quiet"]) == 0
    work = manifest_of(out, "1.2.0")["work"]
    assert (work["processed"], work["reused"]) == (1, 4)


@pytest.mark.parametrize("flags, message", [
    (["--jobs", "two"], "argument --jobs: a whole number of worker processes, 1 or more, got 'two'"),
    (["--near-dedup", "delete"], "invalid choice: 'delete'"),
    (["--near-dup-threshold", "high"], "argument --near-dup-threshold: a similarity above 0 and at most 1, got 'high'"),
    (["--repeated-line-min-docs", "1.5"], "argument --repeated-line-min-docs: a whole number of documents, 2 or more, got '1.5'"),
    (["--repeated-line-min-fraction", "most"], "argument --repeated-line-min-fraction: a share from 0 to 1, got 'most'"),
    (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["--replace=yes"], "ignored explicit argument 'yes'"),
])
def test_build_flags_parsing_errors(dump, tmp_path, capsys, flags, message):
    out = tmp_path / "out"
    assert main(["build", str(dump), str(out), *flags]) == 2  # argparse's refusal, as an exit status
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("flags, message", [
    (["--splits", "train=0.5,test=0.6"], "--splits: shares must add up to 1"),
    (["--splits", "train"], "--splits: expected name=share, got 'train'"),
    (["--splits", "train=0.5,train=0.5"], "--splits: a split is named twice"),
    (["--splits", "train=1.5"], "--splits: share of 'train' must be in (0, 1]"),
    (["--version", "1.0"], "version '1.0' is not a semantic version MAJOR.MINOR.PATCH"),
    (["--manifest", "no-such-manifest.csv"], "--manifest: no-such-manifest.csv is not found, not a file"),
])
def test_build_option_errors_are_one_line_exit_2_nothing_written(dump, tmp_path, capsys, flags, message):
    out = tmp_path / "out"
    assert main(["build", str(dump), str(out), "--jobs", "1", *flags]) == 2
    err = capsys.readouterr().err
    assert "corpuspack build: error: " in err and message in err and "Traceback" not in err
    assert not (out / "versions").exists() and not (out / "data").exists()


@pytest.mark.parametrize("argv", [[], ["build"], ["build", "only-input"], ["diff", "out", "1.0.0"], ["push", "out"],
                                  ["publish", "out"]])
def test_missing_arguments_and_unknown_commands(argv, capsys):
    assert main(argv) == 2
    assert "usage: corpuspack" in capsys.readouterr().err


@pytest.fixture
def two_versions(dump, tmp_path):
    out = tmp_path / "out"
    assert main(["build", str(dump), str(out), "--jobs", "1", "--quiet"]) == 0
    os.remove(dump / "003_5224803d0337f076.txt")
    (dump / "005_ffffffffffffffff.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["build", str(dump), str(out), "--version", "1.1.0", "--jobs", "1", "--quiet"]) == 0
    return out


def test_versions_and_diff_output(two_versions, capsys):
    out = two_versions
    capsys.readouterr()
    assert main(["versions", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["version", "config", "released", "documents", "splits"]
    assert [l.split() for l in lines[1:]] == [["1.0.0", "v1.0.0", "2026-01-01", "5", "train=5"],
                                              ["1.1.0", "v1.1.0", "2026-01-01", "5", "train=5"]]
    assert main(["diff", str(out), "1.0.0", "1.1.0"]) == 0
    assert capsys.readouterr().out == ("added: 1\n  + ffffffffffffffff\nremoved: 1\n  - 5224803d0337f076\n"
                                       "changed: 0\n")
    assert main(["diff", str(out), "1.0.0", "1.1.0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"added": ["ffffffffffffffff"], "removed": ["5224803d0337f076"],
                                                   "changed": []}


def test_versions_diff_verify_card_errors(two_versions, tmp_path, capsys):
    out, empty = two_versions, tmp_path / "empty"
    empty.mkdir()
    capsys.readouterr()
    assert main(["versions", str(empty)]) == 1
    assert capsys.readouterr().err == f"{empty}: no versions\n"
    assert main(["diff", str(out), "1.0.0", "9.9.9"]) == 2
    assert capsys.readouterr().err == f"corpuspack diff: error: {out} has no version 9.9.9 (versions: 1.0.0, 1.1.0)\n"
    assert main(["verify", str(empty)]) == 1
    assert "no committed version" in capsys.readouterr().err
    assert main(["card", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("corpuspack card: error: ")


def test_verify_and_card(two_versions, capsys):
    out = two_versions
    capsys.readouterr()
    assert main(["verify", str(out)]) == 0
    assert capsys.readouterr().out == f"{out}: all data files match their checksums\n"
    card = (out / "README.md").read_text(encoding="utf-8")
    (out / "README.md").write_text("edited\n", encoding="utf-8")
    assert main(["card", str(out)]) == 0
    assert (out / "README.md").read_text(encoding="utf-8") == card  # rewritten from the manifests alone
    assert capsys.readouterr().out == f"{out / 'README.md'}\n"


class FakeHfApi:
    """Stands in for huggingface_hub.HfApi in `push`: records what the CLI gave it."""
    made = []

    def __init__(self, token=None, **kw):
        self.token, self.calls = token, []
        FakeHfApi.made.append(self)

    def create_repo(self, repo_id, **kw):
        self.calls.append(("create_repo", repo_id, kw["private"], kw["repo_type"]))

    def list_repo_refs(self, repo_id, **kw):
        from types import SimpleNamespace
        return SimpleNamespace(tags=[])

    def upload_folder(self, *, repo_id, folder_path, **kw):
        from types import SimpleNamespace
        self.calls.append(("upload_folder", repo_id, sorted(os.listdir(folder_path))))
        return SimpleNamespace(oid="c1")

    def create_tag(self, repo_id, *, tag, revision, **kw):
        self.calls.append(("create_tag", repo_id, tag, revision))


@pytest.mark.parametrize("flags, token, private", [([], None, False), (["--private", "--token", "hf_x"], "hf_x", True)])
def test_push_flags_reach_the_hub_client(two_versions, monkeypatch, flags, token, private):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    FakeHfApi.made = []
    assert main(["push", str(two_versions), "someone/news", *flags]) == 0
    (api,) = FakeHfApi.made
    assert api.token == token
    assert api.calls[0] == ("create_repo", "someone/news", private, "dataset")
    assert [c[0] for c in api.calls] == ["create_repo", "upload_folder", "create_tag", "create_tag"]
    assert [c[2] for c in api.calls[2:]] == ["v1.0.0", "v1.1.0"]


def test_push_errors_offline_and_without_versions(two_versions, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    capsys.readouterr()
    assert main(["push", str(two_versions), "someone/news"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("corpuspack push: error: ") and "offline" in err
    assert main(["push", str(tmp_path / "nothing"), "someone/news"]) == 2
    assert capsys.readouterr().err == f"corpuspack push: error: output folder not found: {tmp_path / 'nothing'}\n"
    (tmp_path / "empty").mkdir()
    assert main(["push", str(tmp_path / "empty"), "someone/news"]) == 2
    assert capsys.readouterr().err == (f"corpuspack push: error: {tmp_path / 'empty'} holds no committed version "
                                       "(no versions/*/manifest.json): nothing to push\n")
    assert os.listdir(tmp_path / "empty") == []  # no .cache/build.lock left (round 37)
