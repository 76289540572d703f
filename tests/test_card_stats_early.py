"""The card's statistics and charts begun before the shards are written (round 41): a build
computes the statistics from the rows its shards will hold (the reused shards' and the rows it
finished) and hands them to its painter, which draws the charts into the work folder while the
shards are written and the version committed; the card then takes them.

Checked against the way every other path makes them (``corpuspack card``, a rollback): the
statistics read from the committed shards and build report (:func:`stats.version_stats`), and a
card and charts written again from the committed version in this process."""
from __future__ import annotations

import os

import pytest

import corpuspack
from conftest import output_files
from corpus_gen import generate_corpus
from corpuspack.builder.release import card, charts, painter, stats, versions
from dump_forms import write_dump

pytest.importorskip("matplotlib")

_CARD = ("README.md", "croissant.json", *(f"{charts.CHARTS_DIR}/{n}" for n in charts.CHARTS))


@pytest.fixture
def recorded(monkeypatch):
    """The statistics each build computed from its rows (the first rows_stats call of a build)."""
    seen = []
    real = stats.rows_stats

    def record(*args, **kwargs):
        out = real(*args, **kwargs)
        seen.append(out)
        return out

    monkeypatch.setattr(stats, "rows_stats", record)
    return seen


def _grow(dump, n: int, seed: int) -> None:
    for name, text, _ in generate_corpus(n, seed=seed, article_words=(40, 90)):
        (dump / "more").mkdir(exist_ok=True)
        (dump / "more" / name).write_text(text, encoding="utf-8")


def _card_files(out) -> dict[str, bytes]:
    files = output_files(out)
    return {k: files[k] for k in _CARD}


@pytest.mark.parametrize("jobs", [2, 1])
def test_a_builds_statistics_and_card_equal_those_read_from_its_committed_shards(tmp_path, recorded, jobs):
    """A first version (duplicates, rejections, several shards), then a next one reusing shards;
    with workers (the painter draws early) and without (drawn in this process)."""
    dump = tmp_path / "dump"
    write_dump(dump, n=60)
    (dump / "empty.txt").write_bytes(b"")  # rejected: empty
    (dump / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" * 40)  # rejected: binary
    out = tmp_path / "out"
    for version, grow in (("1.0.0", 0), ("1.1.0", 25)):
        if grow:
            _grow(dump, grow, seed=31)
        recorded.clear()
        result = corpuspack.build(dump, out, version=version, jobs=jobs, rows_per_shard=16, progress=False)
        if grow:
            assert result.manifest["work"]["shards_reused"] > 0  # the statistics read reused shards too
        early = recorded[0]
        manifest = versions.read_manifest(out, version)
        from_shards = stats.version_stats(str(out), manifest)  # the committed shards and report
        assert early == from_shards
        assert early["documents"] == manifest["counts"]["included"] > 0
        assert early["duplicates_by_kind"] and early["rejected_by_reason"]
        built = _card_files(out)
        card.write_card(str(out))  # again, from the committed version alone (charts drawn here)
        assert _card_files(out) == built


def test_the_painter_draws_into_the_work_folder_and_the_card_moves_them(tmp_path, monkeypatch):
    """The charts are not drawn in the build's process, and reach the output only as the card is
    written: when the painter is first waited for, README.md is written and no chart is there yet."""
    seen = []
    done = painter.Painter.done

    def waited(self):
        seen.append(((tmp_path / "out" / "README.md").is_file(),
                     os.path.isdir(tmp_path / "out" / charts.CHARTS_DIR)))
        return done(self)

    monkeypatch.setattr(charts, "draw", lambda *a, **k: pytest.fail("drawn in the build's process"))
    monkeypatch.setattr(painter.Painter, "done", waited)
    dump = tmp_path / "dump"
    write_dump(dump, n=20)
    corpuspack.build(dump, tmp_path / "out", jobs=2, progress=False)
    assert seen == [(True, False)]
    assert sorted(os.listdir(tmp_path / "out" / charts.CHARTS_DIR)) == sorted(charts.CHARTS)
    assert painter._current is None and painter._early is None


def test_early_charts_of_other_statistics_are_not_taken(tmp_path, monkeypatch):
    """The card shows the statistics of the latest version: charts begun with other statistics
    are discarded (their painter ended) and the latest's drawn here."""
    dump = tmp_path / "dump"
    write_dump(dump, n=20)
    out = tmp_path / "out"
    corpuspack.build(dump, out, jobs=1, progress=False)
    reference = _card_files(out)
    closed = []
    fake = painter.Early(type("P", (), {"close": lambda self: closed.append(1),
                                        "done": lambda self: pytest.fail("waited")})(), str(tmp_path), {})
    card.write_card(str(out), stats=None, drawn=fake)
    assert closed == [1] and _card_files(out) == reference
