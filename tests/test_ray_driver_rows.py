"""What the Ray driver no longer receives per row (round 29), measured from outside the engine's code
(the pickled size of everything ``ray.get`` hands this process while a step runs; ``compare.diff_tables``
and the ledger's ``apply`` spied on in this process):

* pass 3b's ledger events: the published rows come back as counts, not one file name each (the
  report counts them); with the events sent as they are, the same measure sees every name;
* the version's changes: counted by tasks partitioned by id, the driver receiving counts; with the
  engines' default ``Engine.changes``, the driver joins every row's (id, digest) itself, and the spy
  sees them.

Both builds (first and next version, shards reused, files added, removed and changed) give the local
engine's bytes. A failing change task leaves nothing behind and no task running."""
import functools
import os
import pickle
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip("ray")

import corpuspack  # noqa: E402
from ray_driver_io import CountedRay, local_ray, payload  # noqa: E402,F401 - local_ray: a fixture
from conftest import output_files  # noqa: E402
from corpuspack.builder.corpus.scans import kept_scan_files  # noqa: E402
from test_ray_keys import dump  # noqa: E402,F401 - a fixture: 2,000 generated documents
import pyarrow as pa  # noqa: E402
from corpuspack.builder.corpus.pairs import PairCache  # noqa: E402
from corpuspack.builder.corpus.published import EditCache  # noqa: E402
from corpuspack.builder.engines import finished_parts, ray as ray_engine, ray_changes, ray_decisions, ray_pass2, ray_plan  # noqa: E402
from corpuspack.builder.engines.base import Engine  # noqa: E402
from corpuspack.builder.release import compare, report  # noqa: E402
from corpuspack.builder.release.lock import TMP_PREFIX  # noqa: E402

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the test's task function, sent to the workers


def _measured(monkeypatch, methods: dict) -> dict[str, list[int]]:
    """Counts, per method of the Ray engine named in ``methods`` (name -> the function to run in its
    place), the pickled bytes ``ray.get`` returns while it runs (one count per call), and under
    ``diff_rows`` the rows of every ``compare.diff_tables`` called in this process."""
    real_get, real_diff, real_apply = ray.get, compare.diff_tables, report.Ledger.apply
    counts: dict[str, list[int]] = {name: [] for name in methods} | {"diff_rows": [], "named": []}
    on: list[str | None] = [None]

    def get(refs, *a, **k):
        result = real_get(refs, *a, **k)
        if on[0]:
            counts[on[0]][-1] += len(pickle.dumps(result, protocol=5))
        return result

    def diff(old, new):
        counts["diff_rows"].append(old.num_rows + new.num_rows)
        return real_diff(old, new)

    def apply(self, events):
        counts["named"][-1] += sum(e[0] == "included" for e in events)
        return real_apply(self, events)

    def wrap(name, fn):
        def measured(self, *a, **k):
            counts[name].append(0)
            if name == "finish_rows":
                counts["named"].append(0)
            on[0] = name
            try:
                result = fn(self, *a, **k)
                return list(result) if name == "finish_rows" else result  # a generator: run it here
            finally:
                on[0] = None
        return measured

    monkeypatch.setattr(ray, "get", get)
    monkeypatch.setattr(ray_engine.ray, "get", get)
    monkeypatch.setattr(compare, "diff_tables", diff)
    monkeypatch.setattr(report.Ledger, "apply", apply)
    for name, fn in methods.items():
        monkeypatch.setattr(ray_engine.RayEngine, name, wrap(name, fn))
    return counts


def _versions(dump: Path, out: Path, **kw) -> list:
    """Version 1.0.0 of ``dump``, then 1.1.0 with one file changed, one removed and one added."""
    first = corpuspack.build(dump, out, version="1.0.0", progress=False, batch_size=100, rows_per_shard=200, **kw)
    changed = dump.parent / "changed_added_removed"
    if not changed.exists():
        shutil.copytree(dump, changed)
        (changed / "part0" / "doc_00000.txt").write_text("A new text for the second version.\n" * 3, encoding="utf-8")
        (changed / "part1" / "doc_00001.txt").unlink()
        (changed / "part1" / "added.txt").write_text("A document the second version adds.\n" * 4, encoding="utf-8")
    return [first, corpuspack.build(changed, out, version="1.1.0", progress=False, batch_size=100,
                                    rows_per_shard=200, **kw)]


_FINISH_PART, _COUNTED = finished_parts.finish_part, finished_parts.counted


def _events_as_they_are(*args):
    """Pass 3b's task (``engines/finished_parts.finish_part``) sending back its events as the finishing function
    made them, one name per published row (run in a Ray worker: the engine module patched there, then restored)."""
    finished_parts.counted = _as_they_are
    try:
        return _FINISH_PART(*args)
    finally:
        finished_parts.counted = _COUNTED


def _as_they_are(events):
    return events


def _names_bytes(result) -> int:
    """The pickled size of the included rows' names as events (what pass 3b sent back before)."""
    return len(pickle.dumps([("included", f"part{i % 2}/doc_{i:05d}.txt")
                             for i in range(result.counts["included"])], protocol=5))


def test_events_and_changes_stay_in_tasks(local_ray, dump, tmp_path, monkeypatch):
    counts = _measured(monkeypatch, {"finish_rows": ray_engine.RayEngine.finish_rows,
                                     "changes": ray_engine.RayEngine.changes})
    ray_builds = _versions(dump, tmp_path / "ray", engine="ray")
    monkeypatch.undo()
    first, second = ray_builds
    names = _names_bytes(first)
    print(f"received in pass 3b: {counts['finish_rows']} (the names {names} B), rows named {counts['named']}; "
          f"in the changes: {counts['changes']}; rows joined here: {counts['diff_rows']}")
    assert second.manifest["work"]["shards_reused"] >= 1 and first.counts["included"] > 1500
    assert counts["named"] == [0, 0], counts  # no published row named to the ledger
    assert len(counts["changes"]) == 2 and counts["changes"][1] < 1000, counts  # a few counts per task
    assert counts["diff_rows"] == [], counts  # no join of the versions' rows in this process

    # the measures see the rows when they come back: the events as they are, the driver's changes
    as_they_are = _measured(monkeypatch, {"finish_rows": ray_engine.RayEngine.finish_rows,
                                          "changes": Engine.changes})
    monkeypatch.setattr(finished_parts, "counted", _as_they_are)  # batches settled here
    monkeypatch.setattr(finished_parts, "finish_part", _events_as_they_are)  # the tasks'
    back = _versions(dump, tmp_path / "back", engine="ray")
    monkeypatch.undo()
    print(f"as they were: pass 3b {as_they_are['finish_rows']}, rows named {as_they_are['named']}, "
          f"rows joined here {as_they_are['diff_rows']}")
    assert as_they_are["named"][0] == first.counts["included"], as_they_are
    # the names' bytes are what the driver no longer receives (the duplicates and rejections it still does)
    assert as_they_are["finish_rows"][0] - counts["finish_rows"][0] >= 0.9 * names, (as_they_are, counts, names)
    assert as_they_are["diff_rows"] == [first.counts["included"] + second.counts["included"]], as_they_are

    local = _versions(dump, tmp_path / "local", jobs=2)
    changes = local[1].manifest["changes"]  # (another row changes with doc_00000)
    assert (changes["added"], changes["removed"]) == (1, 1) and changes["changed"] >= 1, changes
    for builds, other in ((back, "back"), (local, "local")):
        assert [b.counts for b in builds] == [b.counts for b in ray_builds]
        assert [b.manifest["changes"] for b in builds] == [b.manifest["changes"] for b in ray_builds]
        assert output_files(tmp_path / "ray") == output_files(tmp_path / other)


_COUNT_PART = ray_changes._count_part


def _slow_or_failing_count(marks: str, part, *args):
    """A change task (``ray_changes._count_part``), but partition 0 fails at once and the others start
    two seconds late (each leaving a mark when it does)."""
    if part == 0:
        raise RuntimeError("injected failure in a change task")
    time.sleep(2)
    Path(marks, f"{part}").touch()
    return _COUNT_PART(part, *args)


def _failing_next_version(dump: Path, out: Path, marks: Path, monkeypatch) -> tuple[set, set]:
    """Version 1.0.0 of ``dump``, then 1.1.0 failing in its change tasks: the marks when it failed, and 3 s later."""
    corpuspack.build(dump, out, engine="ray", version="1.0.0", progress=False, batch_size=100, rows_per_shard=200)
    marks.mkdir()
    monkeypatch.setattr(ray_changes, "_count_part", functools.partial(_slow_or_failing_count, str(marks)))
    with pytest.raises(Exception, match="injected failure"):
        corpuspack.build(dump, out, engine="ray", version="1.1.0", progress=False, batch_size=100, rows_per_shard=200)
    done = set(os.listdir(marks))
    time.sleep(3)
    return done, set(os.listdir(marks))


def test_failed_change_task_leaves_nothing(local_ray, dump, tmp_path, monkeypatch):
    """A change task fails: the build fails, the other change tasks are stopped and ended (none goes
    on), and OUT holds the first version only (no work folder, no second version)."""
    out = tmp_path / "out"
    done, later = _failing_next_version(dump, out, tmp_path / "marks", monkeypatch)
    assert later == done
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert not [p for p in left if TMP_PREFIX in p or "1.1.0" in p or p.endswith(".tmp")], left
    assert (out / "versions" / "1.0.0").is_dir()
    # the check can fail: with the tasks in flight left running, one finishes after the build failed
    monkeypatch.setattr(ray_engine, "_stop", lambda refs, mark=None: None)
    done, later = _failing_next_version(dump, tmp_path / "out2", tmp_path / "marks2", monkeypatch)
    assert later > done, (done, later)


def _pass2_measured(monkeypatch) -> dict[str, list[int]]:
    """Per build, the pickled bytes of what ``ray.get`` hands this process and of what it ``ray.put``s
    while pass 2 (``RayEngine.plan``) runs, and the Plan it returns (held here, put once for pass 3);
    ``sent``: the pickled arguments of the tasks it starts (``ray.remote(...).remote(...)``), of which
    ``sent_rows`` the row payloads (numpy arrays and bytes: the masks' bits until round 33, the row
    sets since) while the groupings run (``corpus.plan_rows``); ``decided``: the rows the decisions
    concern (:class:`PlanRows`' row sets and the staged copies, united)."""
    real_get, real_put, real_plan = ray.get, ray.put, ray_engine.RayEngine.plan
    real_rows, real_copies = ray_engine.corpus.plan_rows, ray_pass2.Partitioned.staged_copies
    real_decisions = ray_decisions.plan
    counts: dict[str, list[int]] = {"received": [], "put": [], "plan": [], "sent": [], "sent_rows": [],
                                    "decided": []}
    on, grouping, copies = [False], [False], []

    def get(refs, *a, **k):
        result = real_get(refs, *a, **k)
        if on[0]:
            counts["received"][-1] += len(pickle.dumps(result, protocol=5))
        return result

    def put(value, *a, **k):
        if on[0]:
            counts["put"][-1] += len(pickle.dumps(value, protocol=5))
        return real_put(value, *a, **k)

    def seen(args, kwargs):
        if on[0]:
            counts["sent"][-1] += len(ray.cloudpickle.dumps((args, kwargs), protocol=5))
            if grouping[0]:
                counts["sent_rows"][-1] += payload((args, kwargs))

    def plan(self, *a, **k):
        for c in counts.values():
            c.append(0)
        on[0] = True
        try:
            result = real_plan(self, *a, **k)
        finally:
            on[0] = False
        counts["plan"][-1] = len(pickle.dumps(result, protocol=5))
        return result

    def plan_rows(*a, **k):
        grouping[0] = True
        try:
            rows = real_rows(*a, **k)
        finally:
            grouping[0] = False
        counts["decided"][-1] = len(functools.reduce(np.union1d, [
            rows.id_dup, rows.exact_rows, rows.cluster_rows, rows.not_representative, *copies[-1:]]))
        return rows

    def decisions_plan(*a, **k):  # round 37: the decisions kept in tasks (no plan_rows in this process)
        grouping[0] = True
        try:
            return real_decisions(*a, **k)
        finally:
            grouping[0] = False

    def staged_copies(self, *a, **k):
        copies.append(np.asarray(real_copies(self, *a, **k)))
        return copies[-1]

    monkeypatch.setattr(ray, "get", get)
    monkeypatch.setattr(ray, "put", put)
    monkeypatch.setattr(ray_pass2, "ray", CountedRay(seen))
    monkeypatch.setattr(ray_engine, "ray", CountedRay(seen))
    monkeypatch.setattr(ray_engine.RayEngine, "plan", plan)
    monkeypatch.setattr(ray_engine.corpus, "plan_rows", plan_rows)
    monkeypatch.setattr(ray_pass2.Partitioned, "staged_copies", staged_copies)
    monkeypatch.setattr(ray_decisions, "plan", decisions_plan)
    return counts


def test_pass2_groupings_stay_in_tasks(local_ray, dump, tmp_path, monkeypatch):
    """Pass 2's duplicate groupings run in Ray tasks partitioned by hash at every size (round 30; until
    then the driver grouped below ``ray_shuffle_min_docs``, 100,000 by default): on 2,000 documents the
    driver receives the groupings' results, not the corpus's keys and band hashes; since round 33 it
    sends each map task its run's rows of the row sets (the rows rejected for their id, the staged
    copies, the dropped rows), not a mask of every row. The counter-case, the driver's groupings
    (``ray_shuffle_min_docs`` above the corpus, masks of every row sent to the tasks), is seen by the
    same measures."""
    counts = _pass2_measured(monkeypatch)
    tasks = corpuspack.build(dump, tmp_path / "ray", engine="ray", progress=False, batch_size=100, rows_per_shard=200)
    driver = corpuspack.build(dump, tmp_path / "driver", engine="ray", progress=False, batch_size=100,
                              rows_per_shard=200, ray_shuffle_min_docs=10**9)
    monkeypatch.undo()
    rows = tasks.counts["found"]
    print(f"pass 2, {rows} rows: received {counts['received']}, put {counts['put']}, Plan {counts['plan']}, "
          f"sent {counts['sent']}, of which row payloads in the groupings {counts['sent_rows']}, "
          f"rows decided {counts['decided']}")
    assert rows == 2000 and tasks.counts["duplicate"] > 50
    # the corpus's exact keys alone are 16 B per row, its band hashes 128 B: the driver's groupings take
    # them (340 B per row measured); the tasks send back the duplicates, the published keys of the rows
    # that lose a repeated line (for the next build's cache; written by the tasks since round 31) and the
    # verified pairs (24 B per row measured in round 30, 7.3 B since)
    assert counts["received"][1] > 144 * rows, counts
    assert counts["received"][0] < 10 * rows and counts["received"][0] < counts["received"][1] / 20, counts
    assert max(counts["put"]) < 4 * rows, counts  # no per-row column put by the driver
    # round 33: the row payloads the groupings' tasks are sent are the row sets, 4 B per row of a set
    # per step (the rows rejected for their id, the staged copies and id copies, the dropped rows), at
    # most 12 B per decided row whatever the corpus's size: 916 B for 258 decided rows, measured; until
    # round 33 a mask's bit per row and step (five steps: 1,260 B measured on f71afd6, with no
    # duplicate as with many; tests/test_ray_pass2_rowsets.py: 3,760 B against 168 B at 6,000 rows with
    # 53 decided). Whole arguments, pickled: 56,112 B against 56,453 B (per task: paths, references)
    # round 37: the row sets stay in Ray's object store, one object per run of batches
    # (engines/ray_decisions.py): the tasks are sent references, no row payload at all (916 B for this
    # dump's 258 decided rows from round 33 to 36); the decisions counted in the counter-case (the same)
    decided, batches = counts["decided"][1], rows // 100
    assert decided > 200 and counts["sent_rows"][0] == 0, counts
    # what the driver receives and puts: counts, the repeated lines' hashes and a file name per stage
    # batch (the Plan's parts), not the decisions' rows: 3,544 B measured (14,005 B from round 32 to 36,
    # the rows of the decisions coming back; the check fails there)
    assert counts["received"][0] + counts["put"][0] < 200 * batches, counts
    # the counter-case: the driver's groupings send the line-counting tasks a byte per row of a mask
    # (2,392 B measured: 2,000 B of it the mask)
    assert counts["sent_rows"][1] > rows, counts
    local = corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False, batch_size=100, rows_per_shard=200)
    assert local.counts == tasks.counts == driver.counts
    assert output_files(tmp_path / "ray") == output_files(tmp_path / "local") == output_files(tmp_path / "driver")


_BAND_MAP = ray_pass2._band_map


def _slow_band_map(marks: str):
    """A map task of pass 2's near-duplicate grouping (``ray_pass2._band_map``) starting two seconds
    late and leaving a mark in ``marks`` when it does (a function: ``ray.remote`` takes no partial)."""
    def slow(run, *args):
        time.sleep(2)
        Path(marks, f"{run[0]}").touch()
        return _BAND_MAP(run, *args)
    return slow


def _known_fails(self):
    raise RuntimeError("injected failure in pass 2")


def _failing_pass2(dump: Path, out: Path, marks: Path, monkeypatch) -> tuple[set, set]:
    """A build failing in pass 2 while its band map tasks run (the driver fails as it looks at the last
    build's verified pairs for the verifying tasks: whether it holds them, since round 32; before, as
    it put them): the marks when it failed, and 4 s later."""
    marks.mkdir()
    monkeypatch.setattr(ray_pass2, "_band_map", _slow_band_map(str(marks)))
    monkeypatch.setattr(PairCache, "loaded", property(_known_fails))
    with pytest.raises(Exception, match="injected failure"):
        corpuspack.build(dump, out, engine="ray", version="1.0.0", progress=False, batch_size=100)
    done = set(os.listdir(marks))
    time.sleep(4)
    return done, set(os.listdir(marks))


def test_failed_pass2_leaves_no_task_running(local_ray, dump, tmp_path, monkeypatch):
    """Pass 2 fails while its partitioned groupings' tasks run: the build fails, those tasks are
    waited for and ended (none goes on), and OUT holds no version and no work folder."""
    out = tmp_path / "out"
    done, later = _failing_pass2(dump, out, tmp_path / "marks", monkeypatch)
    assert later == done, (done, later)
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) if out.exists() else []
    assert not [p for p in left if TMP_PREFIX in p or "1.0.0" in p or p.endswith(".tmp")], left
    # the check can fail: with the tasks in flight left running, they finish after the build failed
    monkeypatch.setattr(ray_engine, "_stop", lambda refs, mark=None: None)
    done, later = _failing_pass2(dump, tmp_path / "out2", tmp_path / "marks2", monkeypatch)
    assert later > done, (done, later)


def _kept_published(out: Path) -> bytes:
    """The published-key cache a build kept for the next (``.cache/published-*.arrow``, not the pairs)."""
    return next(p for p in sorted((out / ".cache").glob("published-*"))
                if not p.name.endswith(".pairs.arrow")).read_bytes()


def _keys_back_in_the_driver(monkeypatch) -> None:
    """Pass 2 on Ray as before round 31: the map tasks send back the published keys of the edited rows
    (no work folder given to ``Partitioned``) and the driver reads the last build's and puts them; and
    as before round 32, the verifying tasks send back the verified pairs' similarities and the driver
    reads the last build's and puts them. (Since round 37 the engine's pass 2 runs in
    ``ray_decisions.plan``, which always gives the tasks the work folder: the counter-case runs the
    groupings of ``Partitioned`` through ``corpus.plan_rows`` as the engine did until then.)"""
    real_init = ray_pass2.Partitioned.__init__

    def init(self, *a, **k):
        real_init(self, *a, **k)
        self.folder = None
    monkeypatch.setattr(ray_pass2.Partitioned, "__init__", init)
    pass2_before_round_37(monkeypatch)
    monkeypatch.setattr(EditCache, "loaded", property(lambda self: self._last() is not None))  # read here
    monkeypatch.setattr(PairCache, "loaded", property(lambda self: self.known() is not None))  # read here


_ENGINE: list = [None]  # the engine whose pass 2 runs (for pass2_before_round_37)


def pass2_before_round_37(monkeypatch) -> None:
    """The Ray engine's pass 2 as it ran until round 37 (the counter-cases' code): ``corpus.plan_rows``
    in the driver with ``Partitioned``'s groupings, their results (the decisions' rows) coming back to
    the driver, and ``task_plan`` sending each range of batches its decisions."""
    def plan_with_partitioned(stage_path, options, edits, started, folder, cpus):
        width = 2 * cpus
        rows = ray_engine.corpus.plan_rows(
            stage_path, options, lambda *a, **k: ray_engine.RayEngine.map(_ENGINE[0], *a, **k),
            repeated_lines=functools.partial(ray_pass2.repeated_lines, started=started),
            duplicates=ray_pass2.Partitioned(width, width, edits.pairs, started, folder), edits=edits)
        return ray_engine.task_plan(_ENGINE[0], rows, stage_path, folder)

    real_plan = ray_engine.RayEngine.plan

    def engine_plan(self, *a, **k):
        _ENGINE[0] = self
        return real_plan(self, *a, **k)
    monkeypatch.setattr(ray_decisions, "plan", plan_with_partitioned)
    monkeypatch.setattr(ray_engine.RayEngine, "plan", engine_plan)


def _built_both_ways(dump, out, monkeypatch, kept=None) -> dict:
    """A first build and the next version of ``dump`` on Ray into ``out/files``, then the same into
    ``out/back`` with the keys and pairs back in the driver (the counter-case,
    :func:`_keys_back_in_the_driver`); the patches undone after. ``kept(folder)`` after each build,
    by (way, version), if given."""
    got = {}
    for way in ("files", "back"):
        if way == "back":
            _keys_back_in_the_driver(monkeypatch)
        for version in ("1.0.0", "1.0.1"):
            corpuspack.build(dump, out / way, engine="ray", version=version, progress=False, batch_size=100,
                             rows_per_shard=200)
            if kept is not None:
                got[way, version] = kept(out / way)
    monkeypatch.undo()
    return got


def test_published_keys_stay_in_tasks(local_ray, dump, tmp_path, monkeypatch):
    """The published keys of the rows that lose a repeated line (33 B each: id, key, empty) are written by
    pass 2's map tasks and the next build's cache from their files by a task (round 31), and the last
    build's are read by the map tasks: the driver neither receives nor puts them. Measured from outside
    (``ray.get``/``ray.put`` patched) on a first build and the next version of the same dump, against
    the kept cache's rows; the counter-case (the keys sent back and the last build's put, as before
    round 31) is seen by the same measure; every file, the caches included, is the local engine's."""
    counts = _pass2_measured(monkeypatch)
    builds = _built_both_ways(dump, tmp_path, monkeypatch, _kept_published)
    kept = pa.ipc.open_file(pa.py_buffer(builds["files", "1.0.0"])).read_all().num_rows
    print(f"pass 2, {kept} edited rows kept: received {counts['received']}, put {counts['put']}")
    assert kept > 100
    keys = 33 * kept  # their ids, keys and flags: what comes back, or is put, when they travel through the driver
    files_first, files_next, back_first, back_next = counts["received"]
    assert back_first - files_first > 0.9 * keys and back_next - files_next > 0.9 * keys, counts
    # the last build's keys, put by the driver before; what it still puts is the verified pairs (48 B each)
    assert counts["put"][3] - counts["put"][1] > 0.9 * keys and max(counts["put"][:2]) < 0.2 * keys, counts
    for version in ("1.0.0", "1.0.1"):
        corpuspack.build(dump, tmp_path / "local", jobs=2, version=version, progress=False, batch_size=100,
                         rows_per_shard=200)
        assert builds["files", version] == builds["back", version] == _kept_published(tmp_path / "local")
    assert (output_files(tmp_path / "files", cache=True) == output_files(tmp_path / "back", cache=True)
            == _without_local_scans(output_files(tmp_path / "local", cache=True)))


def _without_local_scans(files: dict) -> dict:
    """A local build's files without the scans its pass 2 keeps (corpus/scans.py: the local engine's
    own; Ray's pass 2, grouping in partitions here, neither reads nor writes them), checked to be there."""
    scans = kept_scan_files(files)
    assert len(scans) == 2, scans
    return {name: data for name, data in files.items() if name not in scans}


def _counting_reads(marks: str, fn):
    """``fn`` (a task function of the change step) run with ``reuse.read_index`` counted in the worker: a
    mark per read in ``marks`` (the worker's module patched for the call, then restored)."""
    def counted(*args):
        import uuid

        from corpuspack.builder.release import reuse as worker_reuse

        real = worker_reuse.read_index

        def read_index(out, shard):
            Path(marks, f"{shard['sha256'][:12]}-{uuid.uuid4().hex}").touch()
            return real(out, shard)
        worker_reuse.read_index = read_index
        try:
            return fn(*args)
        finally:
            worker_reuse.read_index = real
    return counted


def _changes_r29(engine, out, previous, keys, final_path):
    """The change step before round 31: each count task reads every previous shard's index and every
    finished row, keeping its partition (the counter-case of the test below)."""
    import numpy as np
    import pyarrow as pa

    from corpuspack.builder.release.reuse import previous_shards
    if previous is None:
        return None
    parts = engine.cpus()
    shards = [shard for _, shard in previous_shards(previous)]
    total = np.zeros(3, np.int64)
    for _, counts in engine.map(ray_changes._count_part_r29, range(parts), parts, out, shards, keys.matched,
                                keys.reused_shards, final_path):
        total += counts
    return {k: int(n) for k, n in zip(("added", "removed", "changed"), total)}


def _count_part_r29(part, parts, out, shards, matched, reused, final_path):
    import numpy as np
    import pyarrow as pa

    from corpuspack.builder.corpus.stage import read_batches
    from corpuspack.builder.engines.ray_keys import id_partition, placed_rows
    from corpuspack.builder.release import reuse as worker_reuse
    schema = pa.schema([("id", pa.string()), ("digest", pa.string())])

    def mine(table):
        return table.filter(pa.array(id_partition(table.column("id"), parts) == part)).select(["id", "digest"])
    old = [mine(worker_reuse.read_index(out, shard)) for shard in shards]
    new = [mine(placed_rows(matched, reused))]
    new += [mine(pa.Table.from_batches([b.rename_columns(["id", "digest"])])) for b in read_batches(final_path, ["id", "_digest"])]
    diff = compare.diff_tables(pa.concat_tables([schema.empty_table(), *(t.cast(schema) for t in old)]),
                               pa.concat_tables([schema.empty_table(), *(t.cast(schema) for t in new)]))
    return np.array([len(diff[k]) for k in ("added", "removed", "changed")], np.int64)


def _index_reads(dump: Path, out: Path, marks: Path, monkeypatch, before_r31: bool) -> tuple[int, dict, int]:
    """Two versions of ``dump`` (see :func:`_versions`) on Ray, the second's previous-shard index reads
    counted in the change step's tasks: (reads, the changes, previous shards)."""
    marks.mkdir()
    if before_r31:
        monkeypatch.setattr(ray_changes, "_count_part_r29", _counting_reads(str(marks), _count_part_r29), raising=False)
        monkeypatch.setattr(ray_changes, "changes", _changes_r29)
    else:
        monkeypatch.setattr(ray_changes, "_split_rows", _counting_reads(str(marks), ray_changes._split_rows))
    first = corpuspack.build(dump, out, engine="ray", version="1.0.0", progress=False, batch_size=100, rows_per_shard=200)
    shards = sum(len(s["files"]) for s in first.manifest["splits"].values())
    for p in marks.iterdir():
        p.unlink()
    second = corpuspack.build(
        dump.parent / "changed_added_removed", out, engine="ray", version="1.1.0", progress=False, batch_size=100,
        rows_per_shard=200)
    monkeypatch.undo()
    return len(list(marks.iterdir())), second.manifest["changes"], shards


def test_change_tasks_read_each_old_index_once(local_ray, dump, tmp_path, monkeypatch):
    """The version's changes (round 31): the previous version's shard indexes are read once each, by the
    map tasks that split their rows by id for the count tasks; before, every count task (one per CPU)
    read every index. Counted in the workers (``reuse.read_index`` patched there); the counter-case, the
    round-29 count tasks, is seen by the same measure; the changes are the local engine's."""
    local = _versions(dump, tmp_path / "local", jobs=2)[1].manifest  # (also makes the changed dump)
    reads, changes, shards = _index_reads(dump, tmp_path / "ray", tmp_path / "marks", monkeypatch, False)
    print(f"{shards} previous shards: {reads} index reads (round 31)")
    assert shards >= 8 and reads == shards, (reads, shards)
    assert changes == local["changes"] and sum(changes.values()) >= 3, changes
    reads, changes, _ = _index_reads(dump, tmp_path / "r29", tmp_path / "marks29", monkeypatch, True)
    print(f"{shards} previous shards: {reads} index reads (round 29's count tasks)")
    assert reads == 2 * shards and changes == local["changes"], (reads, shards)  # one read per task per shard


def _plan_traffic(monkeypatch) -> tuple[list[bytes], list[int]]:
    """From now on, while pass 2 (``RayEngine.plan``) and pass 3a (``RayEngine.finish_keys``) run: the
    pickled bytes of everything ``ray.get`` hands this process, everything it ``ray.put``s and each task
    ``RayEngine.map`` is given (appended to the first list); and the calls of ``duplicates.column_at``
    in this process (the second list: one entry per call)."""
    from corpuspack.builder.corpus import duplicates, plan as corpus_plan
    seen: list[bytes] = []
    reads: list[int] = []
    on = [False]
    real_get, real_put, real_map, real_column_at = ray.get, ray.put, ray_engine.RayEngine.map, duplicates.column_at

    def get(refs, *a, **k):
        result = real_get(refs, *a, **k)
        if on[0]:
            seen.append(pickle.dumps(result, protocol=5))
        return result

    def put(value, *a, **k):
        if on[0]:
            seen.append(pickle.dumps(value, protocol=5))
        return real_put(value, *a, **k)

    def map_(self, fn, tasks, *common, local=None):
        def sent(tasks):
            for task in tasks:
                if on[0]:
                    seen.append(pickle.dumps(task, protocol=5))
                yield task
        return real_map(self, fn, sent(tasks), *common, local=local)

    def column_at(*a, **k):
        reads.append(1)
        return real_column_at(*a, **k)

    def during(method):
        real = getattr(ray_engine.RayEngine, method)

        def measured(self, *a, **k):
            on[0] = True
            try:
                return real(self, *a, **k)
            finally:
                on[0] = False
        monkeypatch.setattr(ray_engine.RayEngine, method, measured)

    monkeypatch.setattr(ray, "get", get)
    monkeypatch.setattr(ray, "put", put)
    monkeypatch.setattr(ray_engine.RayEngine, "map", map_)
    monkeypatch.setattr(corpus_plan, "column_at", column_at)
    during("plan")
    during("finish_keys")
    return seen, reads


_TASKS = ray_plan._tasks


def _named_here(rows):
    """The Plan's parts named in this process and sent to the tasks (the counter-case): the ids and file
    names the decisions name, read here (``PlanRows.named``) and sent in each task."""
    for batches, part in _TASKS(rows):
        yield batches, part.named(ray_plan._STAGE[0], rows.sizes)


def test_plan_names_stay_in_tasks(local_ray, dump, tmp_path, monkeypatch):
    """Pass 2's Plan on Ray (round 32, ``engines/ray_plan.py``): the ids and file names its decisions
    name (the exact duplicates' and clustered rows' first ids, the id copies' owners) are read and
    written by a task per stage batch, and read back by pass 3a and 3b's tasks: the driver neither reads
    them (``column_at`` is not called in it) nor receives, puts or sends any of them while passes 2 and
    3a run. The names are taken independently, from the local engine's Plan of the local build's stage
    (``corpus.plan.plan``). The counter-case, the parts named in the driver and sent to the tasks, is
    seen by both measures. Every output file (caches included) equals the local engine's."""
    from corpuspack.builder.corpus import plan as corpus_plan
    from corpuspack.builder.options import BuildOptions
    local = corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False, batch_size=100, rows_per_shard=200)
    stage = str(min((tmp_path / "local" / ".cache").glob("stage-*.arrow"), key=lambda p: len(p.name)))
    whole = corpus_plan.plan(stage, BuildOptions())
    names = {n.encode() for column in (whole.exact_of, whole.cluster, whole.id_owner) for n in column.to_pylist()}
    assert len(whole.exact_rows) > 50 and len(whole.cluster_rows) > 50 and len(names) > 100

    def found(seen: list[bytes]) -> int:
        blob = b"\0".join(seen)
        return sum(n in blob for n in names)

    seen, reads = _plan_traffic(monkeypatch)
    result = corpuspack.build(dump, tmp_path / "ray", engine="ray", progress=False, batch_size=100,
                              rows_per_shard=200)
    got = (found(seen), len(reads), sum(map(len, seen)))
    monkeypatch.undo()
    # the counter-case: the parts named here, as the driver's Plan was, and sent to the tasks
    monkeypatch.setattr(ray_plan, "_tasks", _named_here)
    monkeypatch.setattr(ray_plan, "_STAGE", [None], raising=False)
    real_task_plan = ray_plan.task_plan

    def task_plan(engine, rows, stage_path, tmp):
        ray_plan._STAGE[0] = stage_path
        return real_task_plan(engine, rows, stage_path, tmp)
    monkeypatch.setattr(ray_engine, "task_plan", task_plan)
    pass2_before_round_37(monkeypatch)  # (the driver's naming needs the rows in the driver)
    seen2, reads2 = _plan_traffic(monkeypatch)
    corpuspack.build(dump, tmp_path / "named", engine="ray", progress=False, batch_size=100, rows_per_shard=200)
    before = (found(seen2), len(reads2), sum(map(len, seen2)))
    monkeypatch.undo()
    print(f"plan names ({len(names)}) seen by the driver / its reads / bytes: {got}, counter-case {before}")
    assert got[0] == 0 and got[1] == 0, got
    assert before[0] > 0.9 * len(names) and before[1] > 0, before
    assert result.counts == local.counts
    assert output_files(tmp_path / "ray") == output_files(tmp_path / "local") == output_files(tmp_path / "named")



def _pass2_bytes(monkeypatch) -> list[list[bytes]]:
    """Per build, the pickled bytes of everything ``ray.get`` hands this process and it ``ray.put``s
    while pass 2 (``RayEngine.plan``) runs."""
    real_get, real_put, real_plan = ray.get, ray.put, ray_engine.RayEngine.plan
    seen: list[list[bytes]] = []
    on = [False]

    def get(refs, *a, **k):
        result = real_get(refs, *a, **k)
        if on[0]:
            seen[-1].append(pickle.dumps(result, protocol=5))
        return result

    def put(value, *a, **k):
        if on[0]:
            seen[-1].append(pickle.dumps(value, protocol=5))
        return real_put(value, *a, **k)

    def plan(self, *a, **k):
        seen.append([])
        on[0] = True
        try:
            return real_plan(self, *a, **k)
        finally:
            on[0] = False

    monkeypatch.setattr(ray, "get", get)
    monkeypatch.setattr(ray, "put", put)
    monkeypatch.setattr(ray_engine.RayEngine, "plan", plan)
    return seen


def _kept_pairs(out: Path) -> pa.Table:
    """The verified pairs' cache a build kept for the next (``.cache/published-*.pairs.arrow``)."""
    path = next(iter((out / ".cache").glob("published-*.pairs.arrow")))
    with pa.OSFile(str(path)) as f:
        return pa.ipc.open_file(f).read_all()


def test_pairs_stay_in_tasks(local_ray, dump, tmp_path, monkeypatch):
    """The verified pairs' similarities (48 B each, the next build's pairs cache) are written by the
    verifying tasks, one file each, and the cache from those files by a task (round 32), and the last
    build's are read by the verifying tasks from its file: the driver neither receives nor puts them.
    Checked on a first build and the next version against the kept cache's rows (each pair's 8-byte
    hash, ``h``, looked for in the pickled bytes ``ray.get`` hands the driver and it ``ray.put``s in
    pass 2); the counter-case (the pairs sent back and the last build's read and put by the driver, as
    before) is seen by the same measure; the caches, and every file, equal the local engine's."""
    seen = _pass2_bytes(monkeypatch)
    _built_both_ways(dump, tmp_path, monkeypatch)
    pairs = _kept_pairs(tmp_path / "files")
    hashes = [int(h).to_bytes(8, "little") for h in pairs.column("h").to_numpy()]
    assert len(hashes) > 20

    def found(build: list[bytes]) -> int:
        blob = b"\0".join(build)
        return sum(h in blob for h in hashes)

    counts = [found(build) for build in seen]
    print(f"{len(hashes)} verified pairs kept; their hashes seen by the driver per build: {counts}")
    assert counts[0] == counts[1] == 0, counts
    assert counts[2] > 0.9 * len(hashes) and counts[3] > 0.9 * len(hashes), counts
    for version in ("1.0.0", "1.0.1"):
        corpuspack.build(dump, tmp_path / "local", jobs=2, version=version, progress=False, batch_size=100,
                         rows_per_shard=200)
    assert _kept_pairs(tmp_path / "files").equals(_kept_pairs(tmp_path / "local"))
    assert (output_files(tmp_path / "files", cache=True) == output_files(tmp_path / "back", cache=True)
            == _without_local_scans(output_files(tmp_path / "local", cache=True)))
