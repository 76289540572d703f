"""The next version takes the published exact keys of unchanged rows from the last build.

Duplicates are decided on the text as published, after the lines repeated across the corpus are
removed; the exact key of that text is computed in pass 2 for every row that loses a line. A row
whose document columns and whose repeated lines are those of the last build has the key the last
build computed (kept in OUT/.cache/published-*.arrow), so it is not computed again. Checked
against the other code path: the same two builds with that cache deleted before the second one
compute every key, and must give the same bytes."""

import json
from collections import Counter
import shutil

import corpuspack
import corpuspack.builder.corpus.duplicates as duplicates_module
from conftest import output_files
from corpus_gen import generate_corpus

OPTS = dict(repeated_line_min_docs=5, rows_per_shard=100, jobs=1, progress=False)
N, MORE = 300, 30
SHARED = "سطر يتكرر في بضع مقالات فقط من هذه المجموعة"


def _write(folder, docs):
    for name, text, _ in docs:
        (folder / name).write_text(text, encoding="utf-8")


def _computed_rows(monkeypatch, task: str = "edited_fingerprints") -> list[int]:
    """Rows whose published key pass 2 computes (or that another of its tasks, ``task``, is
    given), counted as the tasks reach the function."""
    seen: list[int] = []
    real = getattr(duplicates_module, task)

    def counting(t, ctx):
        seen.append(len(t[2]))
        return real(t, ctx)

    monkeypatch.setattr(duplicates_module, task, counting)
    return seen


def test_unchanged_rows_take_their_published_key_and_the_output_is_the_same(tmp_path, monkeypatch):
    docs = generate_corpus(N + MORE, 5, article_words=(60, 150))
    groups = [t["group"] for _, _, t in docs]
    # originals without any copy in the dump, so that a copy made below has one original only
    lonely = [(name, text) for name, text, t in docs[:N]
              if t["kind"] == "original" and groups.count(t["group"]) == 1][:6]
    dump = tmp_path / "dump"
    dump.mkdir()
    _write(dump, docs[:N])
    # three old documents carry a line that only becomes "repeated" once the dump grows (3 < 5 in
    # version 1, 6 in version 2): those rows lose it in version 2 and their key must be computed
    # again. The first of them, without that line, is a document version 2 adds: its exact
    # duplicate only once the line is removed (a key taken from version 1 would miss it).
    # they also carry the dump's most common line (page furniture), so that they lose a line in
    # version 1 already and version 1 keeps their published key
    furniture = Counter(line for _, text, _ in docs[:N] for line in set(text.splitlines()) if line.strip()
                        ).most_common(1)[0][0]
    for name, text in lonely[:3]:
        (dump / name).write_text(f"{text}\n{furniture}\n{SHARED}\n", encoding="utf-8")
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.0.0", **OPTS)
    reference = tmp_path / "reference"
    shutil.copytree(out, reference)
    for p in (reference / ".cache").glob("published-*.arrow"):
        p.unlink()

    _write(dump, docs[N:])
    for k, (_, text) in enumerate(lonely[3:]):
        (dump / f"zz_extra_{k}.txt").write_text(text + "\n" + SHARED + "\n", encoding="utf-8")
    (dump / "zz_copy.txt").write_text(lonely[0][1], encoding="utf-8")

    computed = _computed_rows(monkeypatch)
    r = corpuspack.build(dump, out, version="1.1.0", **OPTS)
    with_cache = sum(computed)
    computed.clear()
    ref = corpuspack.build(dump, reference, version="1.1.0", **OPTS)
    without_cache = sum(computed)

    assert output_files(out) == output_files(reference)
    assert r.manifest["work"]["processed"] == MORE + 4
    # the copy is found once its original loses the line that became repeated
    report = json.loads((out / "versions" / "1.1.0" / "build_report.json").read_text(encoding="utf-8"))
    original_id = lonely[0][0].split("_")[1].removesuffix(".txt")
    assert {"file_name": "zz_copy.txt", "duplicate_of": original_id, "kind": "exact"}.items() <= \
        next(d for d in report["duplicates"] if d["file_name"] == "zz_copy.txt").items()
    assert SHARED in [p["example"] for p in report["repeated_lines_removed"]]
    assert without_cache > 100  # the generated footers are repeated lines: most rows lose one
    # with the cache: only the new documents and the three rows whose repeated lines changed
    assert 3 <= with_cache <= MORE + 4 + 3, (with_cache, without_cache)
