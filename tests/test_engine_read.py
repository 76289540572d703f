"""engine.read_file: one read for a file of the size its status gave, the whole file otherwise."""
import os

from corpuspack.builder.engines.local import read_file


def test_reads_whole_file_whatever_the_size_hint(tmp_path):
    path = tmp_path / "doc.txt"
    data = "نص عربي\n".encode() * 1000
    path.write_bytes(data)
    size = os.stat(path).st_size
    assert read_file(str(path), size) == data
    assert read_file(str(path), size - 100) == data  # grew since its status was taken
    assert read_file(str(path), 10) == data
    assert read_file(str(path), size + 5000) == data  # shrank
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert read_file(str(empty), 0) == b""
