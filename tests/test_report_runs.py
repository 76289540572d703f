"""The report's named rows (rejections, duplicates) are not held by the build beyond
``report.RUN_ROWS`` of a kind: they go to sorted runs on disk, merged as the report is written.
Checked against references made another way: Python's ``sorted`` of the rows, the ``json``
module's rendering of the whole report, a build that holds every row, and names written by hand."""
import collections
import json

import pytest

import corpuspack
from conftest import output_files
from corpuspack.builder.release import report, stats, versions


def _rows(odd: str = ""):
    """Rows in arrival order, names repeated (ties keep their order), some not ASCII; ``odd``
    added to each detail (a lone surrogate: a run must give it back as it was)."""
    names = ["b.txt", "a.txt", "c/d.txt", "a.txt", "خبر_1.txt", "\\xff.txt", "z.txt", "b.txt", "A.txt",
             "a.txt", "م/ن.txt", "e\u200c.txt", "0.txt", "b.txt", "z.txt", "a.txt"]
    return [{"file_name": n, "reason": "empty", "detail": f"row {i}: \"quoted\", \u0627\n line{odd}"}
            for i, n in enumerate(names)]


@pytest.mark.parametrize("run_rows", [1, 2, 3, 5, 100])
def test_named_rows_merge_like_sorted(tmp_path, run_rows):
    rows = _rows("\ud800")
    named = report.NamedRows(str(tmp_path), "rejected", run_rows=run_rows)
    held = []
    for row in rows:
        named.append(row)
        held.append(len(named._held))
    assert max(held) < run_rows or run_rows == 100  # never more than a run is held
    runs = sorted(p.name for p in tmp_path.iterdir())
    assert len(runs) == (len(rows) // run_rows if run_rows < 100 else 0)
    assert len(named) == len(rows)
    assert list(named) == sorted(rows, key=lambda r: r["file_name"])  # stable: ties in arrival order
    assert list(named) == list(named)  # iterated again: the same rows


def test_report_text_is_the_json_of_the_whole(tmp_path):
    """:func:`report.chunks` gives the bytes ``versions.json_text`` gives for the report with lists."""
    for rejected, duplicates in ([_rows(), []], [[], _rows()[:2]], [[], []], [_rows()[:1], _rows()]):
        log = report.Ledger(str(tmp_path))
        for row in rejected:
            log.rejected_many([row])
        for i, row in enumerate(duplicates):
            log.duplicate(row["file_name"], f"{i:016x}", "0" * 16, "exact" if i % 3 else "near")
        payload = log.to_dict({"repeated_lines_removed": [{"line": "اقرأ أيضا", "count": 3}],
                               "inputs": {"by_form": {"file": 9}}}, version="1.2.0")
        whole = {k: (sorted(v, key=lambda r: r["file_name"]) if k in report.NAMED else v) for k, v in payload.items()}
        assert "".join(report.chunks(payload)) == versions.json_text(whole)
        assert list(whole)[-2:] == ["rejected", "duplicates"]  # the named rows last, after the counts
        kinds = collections.Counter(r["kind"] for r in whole["duplicates"])
        assert payload["duplicates_by_kind"] == dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))


@pytest.mark.parametrize("row", [
    {"file_name": "a.txt", "id": "5326274770322a93", "duplicate_of": None, "kind": "exact"},
    {"file_name": "خبر \u200c\u2028.txt", "detail": "\"quoted\" \\ back\n\ttab \x01 \x7f", "size": 12, "at": -3},
    {"n": 10 ** 20, "flag": True, "off": False, "ratio": 0.5},  # bool and float: through json itself
    {"pieces": [1, "a"], "inner": {"k": None}},
    {},
    {"detail": "a lone surrogate \ud800 beside \u0645"},  # UTF-8 cannot write it: JSON's escapes throughout
])
def test_a_named_row_as_the_json_module_writes_it(row):
    """A row's text (written by hand for rows of strings, numbers and nulls) is ``json.dumps``'s with
    ``indent=2``: as is, or with every character escaped when UTF-8 cannot write one."""
    expected = json.dumps(row, ensure_ascii=False, indent=2)
    if any(isinstance(v, str) and "\ud800" in v for v in row.values()):
        expected = json.dumps(row, indent=2)
    assert report._row_text(row) == expected


def test_read_head_reads_the_counts_only(tmp_path):
    log = report.Ledger(str(tmp_path))
    log.rejected_many(_rows())
    log.duplicate("x.txt", "1" * 16, "2" * 16, "exact")
    path = tmp_path / "build_report.json"
    versions.write_chunks_atomic(str(path), report.chunks(log.to_dict({"inputs": {}}, version="1.0.0")))
    whole = json.loads(path.read_text(encoding="utf-8"))
    head = report.read_head(str(path))
    assert head == {k: v for k, v in whole.items() if k not in ("rejected", "duplicates")}
    assert head["duplicates_by_kind"] == {"exact": 1} and head["rejected_by_reason"] == {"empty": len(_rows())}

    # a report written before the named rows came last: read whole
    old = {"version": "1.0.0", "counts": whole["counts"], "rejected_by_reason": {"empty": 1}, "reasons": {},
           "rejected": [{"file_name": "a", "reason": "empty", "detail": "d"}],
           "duplicates": [{"file_name": "b", "id": "1", "duplicate_of": "2", "kind": "near"}],
           "manifest": {}, "repeated_lines_removed": [{"line": "x", "count": 2}]}
    path.write_text(versions.json_text(old), encoding="utf-8")
    assert report.read_head(str(path)) == old


_ARTICLE = ("دمشق-سانا\nأعلنت وزارة الزراعة اليوم عن خطة جديدة لدعم المزارعين في المحافظات الشمالية "
            "وتوزيع البذور المحسنة قبل بدء الموسم.\nوقال الوزير في مؤتمر صحفي إن الخطة تشمل قروضا ميسرة.\n")


def _dump(root):
    """Rejections and exact copies whose names interleave, listed by hand."""
    root.mkdir()
    empty = [f"{c}_empty.txt" for c in "aceg"]
    binary = ["d_binary.txt", "h_binary.txt"]
    copies = [f"{c}_copy.txt" for c in "bdfhj"]  # the first (b) kept, the others its duplicates
    for name in empty:
        (root / name).write_text("  \n", encoding="utf-8")
    for name in binary:
        (root / name).write_bytes(b"\x00\x01\x02PK\x00" * 40)
    for name in copies:
        (root / name).write_text(_ARTICLE, encoding="utf-8")
    for i in range(6):
        (root / f"k_{i}.txt").write_text(_ARTICLE.replace("الزراعة", f"الزراعة {i} والري {i * 7}")
                                         .replace("الشمالية", f"الشمالية رقم {i}"), encoding="utf-8")
    return sorted(empty + binary), copies[1:]


def test_build_report_from_runs_is_the_report_held_whole(tmp_path, monkeypatch):
    rejected, duplicates = _dump(tmp_path / "dump")
    corpuspack.build(tmp_path / "dump", tmp_path / "whole", progress=False, jobs=2)

    spills, held = [], []
    real_spill, real_append = report.NamedRows._spill, report.NamedRows.append

    def spill(self):
        spills.append(self.kind)
        return real_spill(self)

    def append(self, row):
        real_append(self, row)
        held.append(len(self._held))

    monkeypatch.setattr(report, "RUN_ROWS", 2)
    monkeypatch.setattr(report.NamedRows, "_spill", spill)
    monkeypatch.setattr(report.NamedRows, "append", append)
    corpuspack.build(tmp_path / "dump", tmp_path / "runs", progress=False, jobs=2)

    assert spills.count("rejected") == 3 and spills.count("duplicates") == 2  # 6 rejections, 4 duplicates
    assert max(held) < 2
    assert output_files(tmp_path / "runs") == output_files(tmp_path / "whole")  # report, card, shards: same bytes
    got = json.loads((tmp_path / "runs" / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    assert [r["file_name"] for r in got["rejected"]] == rejected
    assert [r["file_name"] for r in got["duplicates"]] == duplicates
    assert {r["duplicate_of"] for r in got["duplicates"]} == {got["duplicates"][0]["duplicate_of"]}
    assert got["counts"] == {"found": 17, "included": 7, "duplicate": 4, "rejected": 6}
    assert got["duplicates_by_kind"] == {"exact": 4}
    # the card's statistics read the counts, not the rows
    st = stats.version_stats(str(tmp_path / "runs"), versions.read_manifest(str(tmp_path / "runs"), "1.0.0"))
    assert st["duplicates_by_kind"] == {"exact": 4} and st["rejected_by_reason"] == {"binary": 2, "empty": 4}
