"""How a sidecar manifest is held (round 39): Arrow columns with a sorted index of the keys' hashes,
saved once in the work folder and memory-mapped by every process that finishes rows, instead of a
dict of Python dicts read again by each worker. Checked against values written by hand: the first
error of a file is the one of its earliest row, whatever its kind; keys that share a hash are told
apart; the saved file gives the rows read from the user's file, and opening it takes no memory
from Arrow's pool; JSON lines' fields turned into a manifest a chunk of lines at a time give the
rows of one chunk."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpuspack.builder.corpus import hash_index, line_fields
from corpuspack.builder.corpus.sidecar import ManifestError, load_manifest, open_saved


def _csv(tmp_path, rows: list[str]):
    p = tmp_path / "m.csv"
    p.write_text("file_name,date,source\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


@pytest.mark.parametrize("rows,said", [
    # a bad date at row 2 comes before a duplicate at row 4
    (["a.txt,2022-02-18,sana", "b.txt,2022-02-30,sana", "c.txt,2022-02-18,", "a.txt,2022-02-18,"],
     "row 2: unparseable date"),
    # a duplicate at row 2 comes before a bad date at row 3
    (["a.txt,2022-02-18,sana", "./a.txt,2022-02-18,", "c.txt,18 fevrier,"], "row 2: duplicate file_name 'a.txt'"),
    # an empty key at row 3 comes before a duplicate at row 4 and a bad date at row 5
    (["a.txt,,", "b.txt,,", "  ,,", "a.txt,,", "e.txt,nonsense,"], "row 3: empty file_name"),
    # a duplicate at row 3 comes before an empty key at row 4
    (["a.txt,,", "b.txt,,", "b.txt,,", ",,"], "row 3: duplicate file_name 'b.txt'"),
    # the key and the date of one row both wrong: the key is said
    (["a.txt,,", "a.txt,2022-99-99,"], "row 2: duplicate file_name 'a.txt'"),
])
def test_the_first_error_is_the_earliest_rows(tmp_path, rows, said):
    with pytest.raises(ManifestError) as e:
        load_manifest(_csv(tmp_path, rows))
    assert said in str(e.value), str(e.value)


def test_keys_that_share_a_hash_are_told_apart(tmp_path, monkeypatch):
    """Every key hashed to its length: all the rows' hashes collide in threes; the look-ups, the
    duplicate check and the unmatched rows must still go by the keys themselves."""
    monkeypatch.setattr(hash_index, "name_hashes", lambda names, count: np.fromiter((len(k) for k in names), np.uint64, count))
    m = load_manifest(_csv(tmp_path, ["a1.txt,2022-02-18,sana", "a2.txt,2022-02-19,wam", "a3.txt,,",
                                      "bb1.txt,2021-01-01,qna", "bb2.txt,,"]))
    rows = m.rows_for(["a3.txt", "a2.txt", "bb1.txt", "a4.txt", "a1.txt"], ["x"] * 5)
    assert [r and (r["date"], r["source"]) for r in rows] == [
        (None, None), (dt.date(2022, 2, 19), "wam"), (dt.date(2021, 1, 1), "qna"), None,
        (dt.date(2022, 2, 18), "sana")]
    assert m.unmatched() == ["bb2.txt"]
    assert m.unmatched({"a1.txt", "bb2.txt"}) == ["a2.txt", "a3.txt", "bb1.txt"]
    with pytest.raises(ManifestError, match="row 4: duplicate file_name 'a2.txt'"):
        load_manifest(_csv(tmp_path, ["a1.txt,,", "a2.txt,,", "a3.txt,,", "a2.txt,,"]))


def test_the_saved_file_gives_the_rows_read_and_is_mapped(tmp_path):
    t = pa.table({"id": ["d1", "d2", "d3"],
                  "url": ["https://www.spa.gov.sa/w1", None, " https://sana.sy/?p=1 "],
                  "date": ["2022-02-18", None, "18/02/2022"],
                  "rank": pa.array([3, None, 1], pa.int16()),
                  "tags": [["a"], [], ["b", "c"]]},
                 schema=pa.schema([("id", pa.string()), ("url", pa.string()), ("date", pa.string()),
                                   pa.field("rank", pa.int16()), pa.field("tags", pa.list_(pa.string()), nullable=False)]))
    pq.write_table(t, tmp_path / "m.parquet")
    read = load_manifest(tmp_path / "m.parquet")
    pool = pa.total_allocated_bytes()
    saved = open_saved(read.save(str(tmp_path / "saved.arrow")))
    assert pa.total_allocated_bytes() == pool  # the columns are the file's pages, nothing copied
    assert saved.key_column == "id" and saved.path == str(tmp_path / "m.parquet")
    assert saved.extra_schema == read.extra_schema and not saved.extra_schema.field("tags").nullable
    want = [{"url": "https://sana.sy/?p=1", "date": dt.date(2022, 2, 18), "rank": 1, "tags": ["b", "c"]}, None,
            {"url": "https://www.spa.gov.sa/w1", "date": dt.date(2022, 2, 18), "rank": 3, "tags": ["a"]},
            {"url": None, "date": None, "rank": None, "tags": []}]
    docs = ["d3", "d9", "d1", "d2"]
    assert saved.rows_for(["f"] * 4, docs) == read.rows_for(["f"] * 4, docs) == want
    assert list(saved.rows_for(["f"], ["d3"])[0]) == ["url", "date", "rank", "tags"]  # the order of a row's fields


def test_a_manifest_of_keys_only_is_saved_and_mapped(tmp_path):
    """Only a key column: a file found gets an empty row (nothing to apply), one not listed None."""
    (tmp_path / "keys.csv").write_text("file_name\na.txt\nsub/b.txt\n", encoding="utf-8")
    read = load_manifest(tmp_path / "keys.csv")
    saved = open_saved(read.save(str(tmp_path / "keys.arrow")))
    for m in (read, saved):
        assert m.rows_for(["sub/b.txt", "c.txt", "./a.txt"], ["", "", ""]) == [{}, None, {}]
    assert saved.unmatched() == [] and saved.unmatched({"a.txt"}) == ["sub/b.txt"]


def test_line_fields_written_a_chunk_at_a_time(tmp_path, monkeypatch):
    lines = [("a.jsonl:1", {"url": "https://www.alwatan.com.sa/article/1", "date": "2022-02-18", "views": 3}),
             ("a.jsonl:2", {"date": "not a date", "views": 4.5}),
             ("a.jsonl:3", {"source": "SPA", "date": "1443-07-17"}),
             ("a.jsonl:4", {"title": "عنوان", "views": None}),
             ("a.jsonl:5", {"date": 1645142400})]
    got = []
    for chunk in (2, 65_536):
        monkeypatch.setattr(line_fields, "_CHUNK", chunk)
        fields = line_fields.LineFields(str(tmp_path / f"lines-{chunk}.jsonl"))
        for name, f in lines:
            fields.add(name, f)
        m = fields.manifest()
        got.append((m.rows_for([n for n, _ in lines], [""] * 5), fields.dates_unread,
                    pq.ParquetFile(tmp_path / f"lines-{chunk}.parquet").metadata.num_row_groups))
    (small, unread_small, groups_small), (whole, unread_whole, groups_whole) = got
    assert (groups_small, groups_whole) == (3, 1)
    assert small == whole and unread_small == unread_whole == 2  # "not a date" and the epoch number
    assert whole[0]["views"] == 3.0 and whole[1]["views"] == 4.5 and whole[0]["date"] == dt.date(2022, 2, 18)
    assert whole[3]["title"] == "عنوان" and whole[2]["source"] == "SPA"
    assert json.dumps(list(whole[0])) == json.dumps(["url", "source", "title", "language", "date", "views"])

