"""Nothing lost, nothing crashes, and the same input gives the same bytes."""
import codecs
import json
import os
import shutil

import pytest
from datasets import load_dataset

import corpuspack
from corpuspack.builder.release import versions
from conftest import SEEDS, output_files

ARTICLE = ("أكد وزير الخارجية الروسي سيرغي لافروف استحالة تسوية الأزمة في سورية دون توحيد جهود "
           "المجتمع الدولي في مواجهة التطرف والإرهاب، وقال إن الحل السياسي هو الطريق الوحيد لإنهاء الأزمة.\n"
           "وأضاف أن بلاده مستعدة للتعاون مع جميع الأطراف من أجل التوصل إلى تسوية شاملة في المنطقة.\n")




@pytest.fixture
def messy_dump(tmp_path):
    d = tmp_path / "dump"
    (d / "nested" / "deeper").mkdir(parents=True)
    (d / "000_00000000000000a1.txt").write_bytes(ARTICLE.encode("utf-8"))
    (d / "nested" / "001_00000000000000a2.txt").write_bytes(codecs.BOM_UTF8 + ("خبر ثان. " + ARTICLE[::-1]).encode("utf-8"))
    (d / "nested" / "deeper" / "002_00000000000000a3.txt").write_bytes(codecs.BOM_UTF16_LE + ("خبر ثالث مختلف تماما. " * 12).encode("utf-16-le"))
    (d / "003_00000000000000a4.txt").write_bytes(("مقال رابع بترميز قديم عن الاقتصاد والأسواق المالية. " * 5).encode("cp1256"))
    (d / "004_00000000000000a5.txt").write_bytes(b"")
    (d / "005_00000000000000a6.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (d / "006_00000000000000a7.txt").write_bytes(ARTICLE.encode() + b"\xff\xc3" * 60)
    (d / "007_00000000000000a8.txt").write_bytes("Discussion about this post\nاترك تعليقاً\n".encode())
    (d / "nested" / "008_00000000000000a1.txt").write_bytes(("نص آخر يحمل المعرف نفسه. " * 6).encode())  # same id as 000
    (d / "009_00000000000000b1.txt").write_bytes(ARTICLE.encode("utf-8"))  # exact duplicate of 000
    os.symlink(d / "missing-target", d / "010_broken_link.txt")
    os.mkfifo(d / "011_a_fifo")
    return d


def test_every_file_is_accounted_for_and_bad_files_do_not_abort(messy_dump, tmp_path, hf_cache):
    out = tmp_path / "out"
    result = corpuspack.build(messy_dump, out, jobs=1, progress=False)
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    c = report["counts"]
    assert c["found"] == 12 == c["included"] + c["duplicate"] + c["rejected"]
    reasons = {r["file_name"]: r["reason"] for r in report["rejected"]}
    assert reasons == {
        "004_00000000000000a5.txt": "empty",
        "005_00000000000000a6.txt": "binary",
        "006_00000000000000a7.txt": "undecodable",
        "007_00000000000000a8.txt": "empty",
        "nested/008_00000000000000a1.txt": "duplicate_id",
        "010_broken_link.txt": "symlink",
        "011_a_fifo": "unreadable",
    }
    detail = next(r["detail"] for r in report["rejected"] if r["reason"] == "duplicate_id")
    assert "000_00000000000000a1.txt" in detail and "00000000000000a1" in detail
    assert report["duplicates"] == [{"file_name": "009_00000000000000b1.txt", "id": "00000000000000b1",
                                     "duplicate_of": "00000000000000a1", "kind": "exact"}]
    train = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert sorted(train["file_name"]) == ["000_00000000000000a1.txt", "003_00000000000000a4.txt",
                                          "nested/001_00000000000000a2.txt", "nested/deeper/002_00000000000000a3.txt"]
    enc = dict(zip(train["file_name"], train["encoding"]))
    assert enc == {"000_00000000000000a1.txt": "utf-8", "003_00000000000000a4.txt": "cp1256",
                   "nested/001_00000000000000a2.txt": "utf-8-sig", "nested/deeper/002_00000000000000a3.txt": "utf-16"}
    assert result.counts == c


def test_two_builds_are_byte_identical_whatever_the_jobs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    corpuspack.build(SEEDS, a, jobs=1, progress=False)
    corpuspack.build(SEEDS, b, jobs=2, batch_size=2, progress=False)
    fa, fb = output_files(a), output_files(b)
    assert fa.keys() == fb.keys()
    for name in fa:
        assert fa[name] == fb[name], name
    assert any(k.endswith(".parquet") for k in fa)


def test_spawned_workers_where_there_is_no_fork_server(tmp_path, monkeypatch):
    """Without a fork server (Windows) the pool spawns its workers: same bytes as in-process."""
    from corpuspack.builder.engines import forkserver

    monkeypatch.setattr(forkserver, "popen_forkserver", None)
    assert forkserver.context().get_start_method() == "spawn"
    a, b = tmp_path / "a", tmp_path / "b"
    corpuspack.build(SEEDS, a, jobs=1, progress=False)
    corpuspack.build(SEEDS, b, jobs=2, batch_size=2, progress=False)
    fa, fb = output_files(a), output_files(b)
    assert fa == fb and any(k.endswith(".parquet") for k in fa)


def test_rebuilding_in_place_never_serves_stale_rows(tmp_path, hf_cache):
    dump = tmp_path / "dump"
    shutil.copytree(SEEDS, dump)
    out = tmp_path / "x" / "out"
    corpuspack.build(dump, out, jobs=1, progress=False)
    first = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert first.num_rows == 5
    os.remove(dump / "000_8de2ff6bbf66210d.txt")
    (dump / "009_ffffffffffffffff.txt").write_text(ARTICLE, encoding="utf-8")
    corpuspack.build(dump, out, jobs=1, progress=False, version="1.0.0", replace=True)
    again = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert "ffffffffffffffff" in again["id"] and "8de2ff6bbf66210d" not in again["id"]
    # another folder with the same base name is not served from the first one's cache
    other = tmp_path / "y" / "out"
    one = tmp_path / "one"
    one.mkdir()
    (one / "000_eeeeeeeeeeeeeeee.txt").write_text(ARTICLE, encoding="utf-8")
    corpuspack.build(one, other, jobs=1, progress=False)
    assert load_dataset(str(other), split="train", cache_dir=hf_cache)["id"] == ["eeeeeeeeeeeeeeee"]


def test_replaced_version_leaves_no_orphan_shards(tmp_path):
    dump = tmp_path / "dump"
    shutil.copytree(SEEDS, dump)
    out = tmp_path / "out"
    corpuspack.build(dump, out, jobs=1, progress=False)
    os.remove(dump / "000_8de2ff6bbf66210d.txt")
    corpuspack.build(dump, out, jobs=1, progress=False, version="1.0.0", replace=True)
    listed = {f["path"] for i in versions.read_manifest(str(out), "1.0.0")["splits"].values() for f in i["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in (out / "data").rglob("*") if p.is_file()}
    assert on_disk == listed
    assert not [n for n in os.listdir(out) if n.startswith(".corpuspack-tmp")]


def test_cli_build_and_verify(tmp_path, capsys):
    from corpuspack.cli import main
    out = tmp_path / "out"
    assert main(["build", str(SEEDS), str(out), "--jobs", "1", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["included"] == 5
    assert main(["verify", str(out)]) == 0
    card = out / "README.md"
    card.write_text(card.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert main(["verify", str(out)]) == 1
    assert "corpuspack card" in capsys.readouterr().err
    assert main(["card", str(out)]) == 0 and main(["verify", str(out)]) == 0
    shard = next((out / "data" / "v1.0.0").iterdir())
    shard.write_bytes(shard.read_bytes()[:-10])
    assert main(["verify", str(out)]) == 1
    assert shard.name in capsys.readouterr().err


def test_cli_errors_are_clear_not_tracebacks(tmp_path, capsys):
    from corpuspack.cli import main
    assert main(["build", str(tmp_path / "missing"), str(tmp_path / "out")]) == 2
    assert "input folder not found" in capsys.readouterr().err


def test_ctrl_c_stops_the_cli_build_cleanly(tmp_path, monkeypatch, capsys):
    """Ctrl-C during a build: exit status 130 and one line, no traceback, no work folder and no
    version left in the output."""
    from corpuspack.builder.corpus import plan as corpus
    from corpuspack.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus, "plan", interrupted)  # pass 2, after the workers' pass 1
    out = tmp_path / "out"
    assert main(["build", str(SEEDS), str(out), "--jobs", "2"]) == 130
    assert capsys.readouterr().err.strip().endswith("corpuspack build: interrupted")
    assert os.listdir(out) == [".cache"] and os.listdir(out / ".cache") == ["build.lock"]


def test_one_build_at_a_time_per_output_and_killed_builds_leave_no_work_folder(tmp_path, capsys):
    """The first holder of an output folder removes the work folder a killed build left (it may
    hold gigabytes of staged text); a second build into a held folder fails at once, clearly."""
    import subprocess
    import sys
    import textwrap

    from conftest import REPO
    from corpuspack.cli import main

    out = tmp_path / "out"
    stale = out / ".corpuspack-tmp-killed"
    stale.mkdir(parents=True)
    (stale / "stage.arrow").write_bytes(b"\0" * 1000)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from corpuspack.builder.release.lock import output_lock
        with output_lock({str(out)!r}):
            print("held", flush=True)
            sys.stdin.read()  # until the test closes it
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout.readline().strip() == "held"
        assert not stale.exists()
        assert main(["build", str(SEEDS), str(out), "--jobs", "1", "--quiet"]) == 2
        assert "another corpuspack build is writing to this folder" in capsys.readouterr().err
        assert not (out / "versions").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert main(["build", str(SEEDS), str(out), "--jobs", "1", "--quiet"]) == 0  # released with its process


def test_a_defect_on_one_document_is_reported_not_fatal(tmp_path, monkeypatch):
    from corpuspack.builder.document import steps as document  # the per-document function's module
    real = document.doc_id

    def flaky(rel):  # a defect in one step, met on one document of the batch
        if rel.startswith("002_"):
            raise KeyError("simulated defect")
        return real(rel)

    monkeypatch.setattr(document, "doc_id", flaky)
    out = tmp_path / "out"
    result = corpuspack.build(SEEDS, out, jobs=1, progress=False)
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    assert result.counts == {"found": 5, "included": 4, "duplicate": 0, "rejected": 1}
    (r,) = report["rejected"]
    assert r["file_name"].startswith("002_") and r["reason"] == "error" and "simulated defect" in r["detail"]


def test_a_file_name_that_is_not_utf8_is_kept_with_its_bytes_escaped(tmp_path, hf_cache):
    """Linux file names are bytes: one that is not UTF-8 must not stop the build (Arrow refuses
    the lone surrogates Python decodes it to); the document is kept, named with \\xNN escapes."""
    dump = tmp_path / "dump"
    dump.mkdir()
    os.makedirs(os.path.join(os.fsencode(dump), b"\xe9t\xe9"))  # Latin-1 "été"
    with open(os.path.join(os.fsencode(dump), b"\xe9t\xe9", b"\xff_news.txt"), "wb") as f:
        f.write(ARTICLE.encode("utf-8"))
    (dump / "001_ok.txt").write_text("خبر ثان عن الرياضة. " * 8, encoding="utf-8")
    out = tmp_path / "out"
    result = corpuspack.build(dump, out, jobs=1, progress=False)
    assert result.counts["included"] == 2
    names = sorted(load_dataset(str(out), split="train", cache_dir=hf_cache)["file_name"])
    assert names == ["001_ok.txt", "\\xe9t\\xe9/\\xff_news.txt"]


def test_an_output_folder_inside_the_dump_is_not_read_as_input(tmp_path, monkeypatch):
    """`corpuspack build . out`: the shards, card, manifests and work files of the output are not
    documents of the dump, in the first version or the next."""
    dump = tmp_path / "dump"
    shutil.copytree(SEEDS, dump)
    first = corpuspack.build(dump, dump / "out", jobs=1, progress=False)
    monkeypatch.chdir(dump)
    second = corpuspack.build(".", "out", jobs=2, progress=False, version="1.1.0")
    assert first.counts == second.counts == {"found": 5, "included": 5, "duplicate": 0, "rejected": 0}
    assert second.manifest["changes"] == {"added": 0, "removed": 0, "changed": 0}


@pytest.mark.parametrize("output", [".", ".."])
def test_an_input_folder_that_is_the_output_or_inside_it_is_refused(tmp_path, monkeypatch, capsys, output):
    from corpuspack.cli import main

    dump = tmp_path / "out" / "dump"
    shutil.copytree(SEEDS, dump)
    monkeypatch.chdir(dump)
    assert main(["build", ".", output, "--jobs", "1"]) == 2
    assert "is the output folder" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path / "out")) == ["dump"] and sorted(os.listdir(dump)) == sorted(os.listdir(SEEDS))
