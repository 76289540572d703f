"""A local archive built with workers is read by a process of its own that spools the documents
to the work folder (document/inputs/spool.py). Checked against the folder's build and against the
same archive read in the build's process (--jobs 1, another code path): the same shards, the
same report (every refused, damaged and skipped member), and nothing left behind: no spool file,
no reader process, after a build, a failed build, a killed reader or a reader's own error."""
import errno
import multiprocessing
import os
import resource
import tarfile

import psutil
import pytest

import corpuspack
from corpuspack.builder.document.inputs import InputOptions, Tally, archive, spool
from corpuspack.builder.engines import local
from dump_forms import build_report, pack_tar, pack_tar_zst, pack_zip, published, shard_files, write_dump
from test_inputs_archive_safety import GOOD, _add, damaged_archive

CTX = multiprocessing.get_context("forkserver")


@pytest.fixture
def spools(monkeypatch):
    """Every Spool the builds of a test start, with the state of its folder and reader when closed."""
    made = []

    class Recorded(spool.Spool):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.closed_with = None
            made.append(self)

        def close(self):
            super().close()
            if self.closed_with is None:
                self.closed_with = (os.path.exists(self.folder), self.process.is_alive())

    monkeypatch.setattr(local, "Spool", Recorded)
    return made


@pytest.mark.parametrize("pack, name", [(pack_tar, "dump.tar.gz"), (pack_zip, "dump.zip"),
                                        (pack_tar_zst, "dump.tar.zst")])
def test_spooled_archive_gives_the_folders_shards_and_the_in_process_report(tmp_path, spools, pack, name):
    names = write_dump(tmp_path / "dump", 60)
    (tmp_path / "dump" / "lines.jsonl").write_text(  # JSON lines in the archive: their fields too
        '{"text": "' + GOOD.strip() + '", "url": "https://example.org/a"}\n\nnot json\n', encoding="utf-8")
    path = pack(tmp_path / "dump", tmp_path / name)
    corpuspack.build(tmp_path / "dump", tmp_path / "folder", version="1.0.0", jobs=2, progress=False)
    corpuspack.build(path, tmp_path / "spooled", version="1.0.0", jobs=2, progress=False, name="dump")
    assert len(spools) == 1 and spools[0].closed_with == (False, False)
    corpuspack.build(path, tmp_path / "in-process", version="1.0.0", jobs=1, progress=False, name="dump")
    assert len(spools) == 1  # --jobs 1 reads in the build's process

    assert shard_files(tmp_path / "spooled") == shard_files(tmp_path / "folder")
    assert build_report(tmp_path / "spooled") == build_report(tmp_path / "in-process")
    report = build_report(tmp_path / "spooled")
    form = "zip" if name.endswith(".zip") else "tar"
    assert report["inputs"]["by_form"] == {form: len(names), "jsonl": 2}
    assert report["inputs"]["skipped"] == {"blank_line": 1, "hidden": 1, "vcs": 2}
    assert [r["reason"] for r in report["rejected"]] == ["bad_line"]
    rows = published(tmp_path / "spooled").to_pylist()
    assert [r["url"] for r in rows if r["file_name"] == "lines.jsonl:1"] == ["https://example.org/a"]


def test_refused_members_and_a_corrupt_tail_are_reported_as_in_process(tmp_path, spools):
    path = damaged_archive(tmp_path / "dump.tar.gz", up=False)
    spooled = corpuspack.build(path, tmp_path / "spooled", jobs=2, progress=False)
    in_process = corpuspack.build(path, tmp_path / "in-process", jobs=1, progress=False)
    assert len(spools) == 1
    assert build_report(tmp_path / "spooled")["rejected"] == build_report(tmp_path / "in-process")["rejected"]
    assert {r["file_name"]: r["reason"] for r in build_report(tmp_path / "spooled")["rejected"]} == {
        "../escape.txt": "unsafe_path", "/etc/absolute.txt": "unsafe_path", "shadow.txt": "link",
        "hard.txt": "link", "zz_tail.txt": "corrupt"}
    assert spooled.counts == in_process.counts == {"found": 7, "included": 2, "duplicate": 0, "rejected": 5}
    assert shard_files(tmp_path / "spooled") == shard_files(tmp_path / "in-process")


def _entries_by_hand(path):
    """The archive read in this process, the reference for the spool."""
    return [(rel, p.data, p.refused, p.order) for rel, p in archive.entries(str(path), InputOptions(), Tally())]


def test_spool_gives_the_streams_entries_and_removes_what_is_processed(tmp_path):
    """4,000 members of 2 kB in spool files of 64 kB: the reader runs ahead of the consumer by a
    pipe's buffer of entries, not by the archive, and the files behind the consumer are removed."""
    path = tmp_path / "dump.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for i in range(4000):
            _add(tar, f"d/{i:05d}.txt", (f"{i} " + GOOD).encode() * 12)
    want = _entries_by_hand(path)
    s = spool.Spool(str(path), InputOptions(), str(tmp_path / "spool"), CTX, segment_bytes=64 << 10)
    try:
        got, files_seen = [], 0
        for rel, p in s.entries(Tally()):
            got.append((rel, p.data.read() if p.data is not None else None, p.refused, p.order))
            s.release([(rel, p, None)])  # as each batch's result comes in
            files_seen = max(files_seen, len(os.listdir(s.folder)))
        assert got == want
        kept_all = _spool_files_without_release(path, tmp_path)
        assert len(os.listdir(s.folder)) <= 1 and files_seen < kept_all / 2  # removed as they were processed
        assert not s.process.is_alive() and s.process.exitcode == 0
    finally:
        s.close()
    assert not os.path.exists(s.folder)


def _spool_files_without_release(path, tmp_path):
    s = spool.Spool(str(path), InputOptions(), str(tmp_path / "spool-all"), CTX, segment_bytes=64 << 10)
    try:
        for _ in s.entries(Tally()):
            pass
        return len(os.listdir(s.folder))
    finally:
        s.close()


def test_a_stopped_build_ends_the_reader_and_removes_the_spool(tmp_path):
    write_dump(tmp_path / "dump", 600)
    path = pack_tar(tmp_path / "dump", tmp_path / "dump.tar.gz")
    s = spool.Spool(str(path), InputOptions(), str(tmp_path / "spool"), CTX)
    entries = s.entries(Tally())
    next(entries)
    assert s.process.is_alive()  # blocked on the full pipe, far from the archive's end
    s.close()  # what the engine does when the build stops on an error or Ctrl-C
    assert not s.process.is_alive() and not os.path.exists(s.folder)


def test_a_killed_reader_is_an_error_not_the_archives_end(tmp_path):
    write_dump(tmp_path / "dump", 600)
    path = pack_tar(tmp_path / "dump", tmp_path / "dump.tar.gz")
    s = spool.Spool(str(path), InputOptions(), str(tmp_path / "spool"), CTX)
    try:
        entries = s.entries(Tally())
        next(entries)
        psutil.Process(s.process.pid).kill()
        with pytest.raises(spool.ReaderDied, match="ended abruptly"):
            for _ in entries:
                pass
    finally:
        s.close()
    assert not os.path.exists(s.folder)


def test_a_readers_error_is_raised_in_the_build(tmp_path):
    """A spool file the reader cannot write (its file size capped, as on a full disk): the
    reader's OSError, errno and all, is raised in the build's process."""
    write_dump(tmp_path / "dump", 60)
    path = pack_tar(tmp_path / "dump", tmp_path / "dump.tar.gz")
    s = spool.Spool(str(path), InputOptions(), str(tmp_path / "spool"), CTX,
                    at_start=(resource.setrlimit, resource.RLIMIT_FSIZE, (20_000, 20_000)))
    try:
        with pytest.raises(OSError) as e:
            for _ in s.entries(Tally()):
                pass
        assert e.value.errno == errno.EFBIG
        s.process.join(30)
        assert not s.process.is_alive()
    finally:
        s.close()
    assert not os.path.exists(s.folder)


def test_a_failed_build_leaves_no_reader_and_no_spool(tmp_path, spools, monkeypatch):
    write_dump(tmp_path / "dump", 600)
    path = pack_tar(tmp_path / "dump", tmp_path / "dump.tar.gz")
    from corpuspack.builder import pipeline

    def fail(*a, **kw):
        raise RuntimeError("a fault in pass 1")

    monkeypatch.setattr(pipeline.OrderKeys, "add", fail)
    with pytest.raises(RuntimeError, match="a fault in pass 1"):
        corpuspack.build(path, tmp_path / "out", jobs=2, progress=False)
    assert len(spools) == 1 and spools[0].closed_with == (False, False)
    assert not [p for p in psutil.Process().children(recursive=True) if p.pid == spools[0].process.pid]
