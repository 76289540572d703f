"""The next version of a JSON Lines dump whose lines carry fields of their own (their columns come
from the lines, read in pass 1): the schema check before any work took those columns for removed,
so the same dump could only be built again as a new major version (found by a torture run, round
36). Now the check before pass 1 leaves the previous version's own columns to the check after it,
made on what the build publishes."""
import json

import pytest

import corpuspack
from corpuspack.builder.release.versions import VersionError

_TEXT = "أعلنت وزارة الزراعة اليوم عن خطة جديدة لدعم المزارعين في المحافظات الشمالية، رقم {}."


def _dump(path, **fields):
    path.write_text("".join(json.dumps({"id": f"n{i}", "text": _TEXT.format(i), **fields}, ensure_ascii=False) + "\n"
                            for i in range(6)), encoding="utf-8")
    return path


def test_columns_from_the_lines_are_checked_after_pass_1(tmp_path):
    out = tmp_path / "out"
    same = _dump(tmp_path / "news.jsonl", category="زراعة")
    corpuspack.build(same, out, progress=False, jobs=1)
    corpuspack.build(same, out, version="1.1.0", progress=False, jobs=1)  # the same columns: a minor version

    renamed = _dump(tmp_path / "renamed.jsonl", section="زراعة")  # category gone, section added
    with pytest.raises(VersionError, match="columns category were removed"):
        corpuspack.build(renamed, out, version="1.2.0", progress=False, jobs=1)
    added = _dump(tmp_path / "added.jsonl", category="زراعة", views=3)
    with pytest.raises(VersionError, match="columns views were added"):
        corpuspack.build(added, out, version="1.1.1", progress=False, jobs=1)
    corpuspack.build(renamed, out, version="2.0.0", progress=False, jobs=1)
    assert sorted(p.name for p in (out / "versions").iterdir()) == ["1.0.0", "1.1.0", "2.0.0"]
