"""The build, stage by stage: discover -> read/decode -> clean -> extract
metadata (pass 1, per document, parallel) -> deduplicate and find repeated
lines (pass 2, corpus-level, over Arrow columns) -> split -> write shards,
card, manifest and report (pass 3, streaming).

Every pass runs on an engine (:mod:`.engines.base`: the local process pool, or Ray), which
hands results back in input order, so the output is the same whatever runs it.
Nothing of the corpus is held in memory as Python objects: pass 1 streams
batches into a staging Arrow file; pass 2 reads the columns it needs from it
batch by batch; pass 3 finishes its record batches and writes the shards on the
same engine as pass 1.
"""
from __future__ import annotations

import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import pyarrow.compute as pc

from .. import schema
from .release import card, commit, layout, incremental, painter, provenance, publish, report, versions, write
from .corpus import plan as corpus, finish
from .engines import forkserver, nopandas
from .engines.base import check_engine, open_engine
from .document import inputs as doc_inputs, legacy
from .document.storage import Storage, open_storage
from .release.lock import TMP_PREFIX, output_lock
from .options import BuildOptions
from .progress import progress
from .corpus.line_fields import LineFields, with_line_fields
from .corpus.reorder import OrderKeys
from .heap import give_back
from .corpus.sidecar import Layered, Manifest, layered, load_manifest, open_saved
from .corpus.repeated_lines import RemovalStats
from .corpus.stage import STAGE_SCHEMA, StageWriter, read_batches
from .corpus.published import EditCache
from .corpus.kept_keys import KeptKeys
from .release.write import Shard


@dataclass(frozen=True)
class BuildResult:
    output_dir: str
    version: str
    counts: dict
    manifest: dict
    timings: dict  # seconds per stage of this run (not written to the output: it is not reproducible)

    @property
    def config_name(self) -> str:
        return versions.config_name(self.version)


def count_in_background(storage: Storage, bar, skip: str | None = None) -> None:
    """Give the progress bar its total without delaying the build: the dump is walked a second
    time in a thread (the walk is mostly system calls, which release the GIL)."""
    if bar.disable:
        return

    def count() -> None:
        try:
            total = storage.count(skip)
        except OSError:  # the build's own walk reports it
            return
        if not bar.disable:  # closed meanwhile (tqdm.close disables the bar)
            bar.total = total
            bar.refresh()

    threading.Thread(target=count, name="corpuspack-count", daemon=True).start()


def build(input_dir: str | os.PathLike, output_dir: str | os.PathLike, options: BuildOptions | None = None, **kwargs) -> BuildResult:
    """Build (or add a version to) the dataset in ``output_dir`` from the dump in ``input_dir``: a
    folder, an archive (tar, zip) or a JSON Lines file (see document/inputs)."""
    options = replace(options or BuildOptions(), **kwargs)
    check_engine(options.engine)  # e.g. Ray not installed: said before any work
    # the card's charts drawn by a process of their own, started now (matplotlib imported beside the build)
    with painter.beside_build(options.jobs > 1 and options.engine == "local"):
        if options.engine != "local":
            return _build_to(input_dir, output_dir, options)
        with nopandas.hidden():  # pyarrow imports no pandas in this process (see engines/nopandas)
            return _build_to(input_dir, output_dir, options)


def _build_to(input_dir, output_dir, options: BuildOptions) -> BuildResult:
    if options.jobs > 1 and options.engine == "local":
        forkserver.warm_up()  # the workers' parent imports their code while this process goes on
    out = os.fspath(output_dir)
    storage = open_storage(input_dir)
    if options.name is None:
        options = replace(options, name=storage.name)
    storage.check(out)  # a folder, an archive or JSON Lines (see document/inputs); not holding OUT
    os.makedirs(out, exist_ok=True)
    with output_lock(out):
        version, previous_version = versions.resolve_new_version(out, options.version, replace=options.replace)
        versions.read_manifests(out)  # every version's manifest reads (the card lists them all): said before any work
        previous = versions.read_manifest(out, previous_version) if previous_version else None
        manifest = load_manifest(options.manifest) if options.manifest else None  # fails before any work
        tmp = tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out)
        try:
            return _build(storage, out, tmp, version, previous, manifest, options)
        finally:
            finish.forget_saved()  # the saved manifests' maps, if this process finished rows, closed
            shutil.rmtree(tmp, ignore_errors=True)


def _build(storage: Storage, out, tmp, version, previous, manifest: Manifest | Layered | None,
           options: BuildOptions) -> BuildResult:
    log = report.Ledger(tmp)  # its named rows beyond report.RUN_ROWS go to runs in the work folder
    feats = _features(version, previous, manifest, early=True)  # checked before any work
    manifest, _ = _saved(manifest, tmp)  # held as a memory-mapped file from here on, not in this process's heap

    clock = _Clock()
    with open_engine(options, tmp) as engine:
        if previous is None:  # a first version: pass 1 is the workers' work, the painter imports beside it
            painter.go()
        # pass 1: every file through the per-document function (or its cached row), streamed to the stage
        stage_path = os.path.join(tmp, "stage.arrow")
        found, walk_rejections = [0], []  # entries found; links not followed, unlistable folders, clashing names
        line_fields = LineFields(os.path.join(tmp, "line_fields.jsonl"))
        tally = doc_inputs.Tally(fields=line_fields.add)
        entries = engine.entries(storage, options.input_options(), tally, skip=out,
                                 follow_symlinks=options.follow_symlinks, rejected=walk_rejections)
        # the code pages of the dump's script, from a sample of the walk's first entries
        preference, entries = legacy.choose(options, storage.reader(), entries)
        if preference.encodings:
            options = replace(options, legacy_encodings=preference.encodings)
        fingerprint = options.fingerprint()
        cache = incremental.StageCache(incremental.cache_path(out, fingerprint))
        bar = progress(None, "documents", enabled=options.progress)
        count_in_background(storage, bar, out)
        inputs = provenance.InputDigest()
        items = _with_cached(cache, entries, options.rehash, found)
        order_keys = OrderKeys()  # (member path, line) of each staged row read from an archive
        with StageWriter(stage_path) as stage:  # unchanged batches of the cached stage: referred to, not copied
            for batch, records, rejections, outcomes in engine.documents(items, options.doc_options(),
                                                                         batch_size=options.batch_size,
                                                                         storage=storage, cache=cache):
                rows = cache.stage(stage, batch, records, outcomes)
                inputs.add(rows, rejections)
                log.rejected_many(rejections)
                order_keys.add([item[1].order for item, outcome in zip(batch, outcomes)
                                if outcome != "rejected" and isinstance(item[1], doc_inputs.Payload)
                                and item[1].order is not None])
                bar.update(len(batch))
        bar.close()
        inputs.add(STAGE_SCHEMA.empty_table(), walk_rejections)
        log.rejected_many(walk_rejections)
        total = found[0] + len(walk_rejections)  # entries found (the report must account for each of them)
        order = order_keys.order()
        give_back()  # what pass 1 and the sort freed (documents sent to the workers...), else held to the end
        if order is not None:  # an archive whose members are not in the unpacked folder's order
            restage = time.perf_counter()
            engine.reorder(stage_path, order, options.batch_size)
            clock.laps["pass1_restage"] = round(time.perf_counter() - restage, 3)  # (within pass1_documents)
        del order
        if (fields := line_fields.manifest()) is not None:  # JSON lines with fields beyond text and id
            manifest = fields if manifest is None else with_line_fields(fields, manifest)  # --manifest wins
        feats = _features(version, previous, manifest)  # the columns the lines' fields add: checked whole
        manifest, saved = _saved(manifest, tmp)  # the workers map the saved manifests, not read them again
        clock.lap("pass1_documents")
        # a next version's painter imports matplotlib now, not beside pass 1, whose walk of the unchanged
        # files (this process) and the workers' parent's imports and tables then need the two cores
        painter.go()

        # pass 2: corpus-level decisions over Arrow columns
        edits = EditCache(incremental.cache_path(out, fingerprint, "published"))
        plan = engine.plan(stage_path, options, edits)
        give_back()  # what pass 2 freed (the results its tasks sent back, read into the C heap)
        clock.lap("pass2_corpus")

        # pass 3a: finish keys; the previous version's shards whose rows all keep their key are reused
        out_schema = feats.arrow_schema
        ctx = finish.FinishContext(stage_path, plan.repeated, options.near_dedup == "drop",
                                   frozenset(options.drop_quality), options.splits,
                                   tuple(map(os.path.abspath, manifest.paths)) if manifest else (), out_schema,
                                   fingerprint, saved)
        batch_rows, html_pages = _batch_rows(stage_path)  # one pass over a small column, for both passes below
        kept_keys = KeptKeys(incremental.cache_path(out, fingerprint, "keys"), finish.KEY_SCHEMA)
        keys = engine.finish_keys(batch_rows, plan, ctx, kept_keys, out, previous)
        reused = keys.reused

        # pass 3b: the other rows finished (decisions applied, manifest joined) into a second stage
        final_path = os.path.join(tmp, "final.arrow")
        removal = RemovalStats()
        tasks, finish_fn, settled = keys.finishing(finish.finish_task, lambda task: finish.settled(task, ctx))
        for done in engine.finish_rows(finish_fn, tasks, ctx, final_path, finish.final_schema(out_schema),
                                       local=settled):  # rows: into final_path
            log.apply(done.events)
            log.files_without_manifest_row += done.without_manifest_row
            removal.merge(done.removal)
        if manifest is not None:
            _manifest_matches(stage_path, manifest, log)
        counts = log.counts()
        if counts["found"] != total:
            raise AssertionError(f"internal error: the report does not account for every file ({counts}, {total} found)")

        def report_payload() -> dict:
            return log.to_dict({"repeated_lines_removed": removal.report(),
                                "control_characters_removed": plan.controls,
                                "legacy_encodings": preference.report(),
                                "inputs": {**tally.report(), "html_pages": html_pages,
                                           "line_dates_unread": line_fields.dates_unread}},
                               version=version)
        if not counts["included"]:  # a version no one could load: refused, its report kept aside
            raise report.nothing_to_publish(out, storage.root, report_payload())
        clock.lap("pass3_finish_rows")

        # pass 3c: the finished rows written to new shards, shards side by side in the workers
        split_names = [name for name, _ in options.splits]
        shard_tasks = write.plan_shards(final_path, split_names, options.rows_per_shard,
                                        need_one={name: not reused.get(name) for name in split_names})
        shard_ctx = write.ShardContext(final_path, out, out_schema, options.row_group_size, tmp)
        shards: dict[str, list] = {name: [Shard(**f) for f in reused.get(name, [])] for name in split_names}
        for task, shard in engine.map(write.write_shard, shard_tasks, shard_ctx):
            shards[task.split].append(shard)
        engine.settle_stage(stage_path)  # the stage file the build keeps for the next version
        changes = engine.changes(out, previous, keys, final_path)  # since the previous version: counts (the engine's last work)
    shards, copied = layout.place(out, version, shards, tmp)

    clock.lap("pass3_write_shards")
    payload = provenance.version_manifest(
        version=version, previous=previous, shards=shards, features=feats, inputs=inputs,
        options=options, counts=counts, changes=changes,
        work={"processed": total - cache.reused, "reused": cache.reused,
              "shards_reused": sum(len(v) for v in reused.values()), "rows_reused": keys.placed_rows,
              **({"shards_damaged": keys.damaged} if keys.damaged else {})},
        card=card.user_fields(out, options))
    report_payload = report_payload()
    # manifest, report and card: visible at once; the caches for the next build kept while the charts
    # are drawn (what they hold is known by content: right whether or not this version is committed)
    commit.commit(out, version, payload, report_payload,
                  meanwhile=lambda: incremental.keep(stage_path, out, fingerprint, edits, keys.write))
    report.forget_refused(out)
    clock.lap("card_manifest_report")
    versions.remove_unreferenced(out)
    if options.git or publish.is_repo(out):
        publish.commit_version(out, version)
    report.print_summary(report_payload, out, file=sys.stderr if options.progress else None,
                         empty_splits=card.empty_splits(payload), copied=copied, damaged=keys.damaged)
    return BuildResult(out, version, counts, payload, clock.laps)


def _features(version: str, previous: dict | None, manifest: Manifest | Layered | None, *, early: bool = False):
    """The published features (with the manifest's columns), checked against the previous version.
    ``early`` (before pass 1): the previous version's columns beyond the schema's own are taken as
    still there, since the fields of JSON lines, read in pass 1, may give them again; after pass 1
    the check is made on what the build publishes."""
    feats = schema.published(manifest.extra_schema if manifest else None)  # `datasets` only if needed
    given = feats.to_dict()
    if early and previous is not None:
        own = schema.published().to_dict()
        given = {**{n: f for n, f in previous.get("features", {}).items() if n not in own and n not in given}, **given}
    versions.check_schema_bump(version, given, previous)
    return feats


_SAVES = itertools.count()  # the saved manifests' numbers (a saved file, mapped, is never written again)


def _saved(manifest: Manifest | Layered | None, tmp: str) -> tuple[Manifest | Layered | None, tuple[str, ...]]:
    """The manifest's layers saved in the work folder (:meth:`.corpus.sidecar.Manifest.save`, a layer
    saved already kept as it is) and the manifest as those files memory-mapped, with their paths;
    the memory of the copies read here handed back."""
    if manifest is None:
        return None, ()
    paths = tuple(m.saved or m.save(os.path.abspath(os.path.join(tmp, f"manifest-{next(_SAVES)}.arrow")))
                  for m in manifest.layers)
    manifest = layered(*(m if m.saved else open_saved(p) for m, p in zip(manifest.layers, paths)))
    give_back()
    return manifest, paths


def _manifest_matches(stage_path: str, manifest: Manifest | Layered, log: report.Ledger) -> None:
    """The report's manifest rows that matched no file, and (layers) the values a later layer replaced:
    the staged names and ids read a batch at a time, the manifest rows they match marked (a byte a
    manifest row; until round 37 every staged name and id was read into lists here, until round 39
    the matched keys were held as strings)."""
    matched = [np.zeros(len(m), dtype=bool) for m in manifest.layers]
    replaced: Counter = Counter()
    for batch in read_batches(stage_path, ["file_name", "id"]):
        names, ids = batch.column(0).to_pylist(), batch.column(1).to_pylist()
        for m, marks in zip(manifest.layers, matched):
            m.mark([m.key_of(name, doc_id) for name, doc_id in zip(names, ids)], marks)
        if isinstance(manifest, Layered):
            replaced.update(manifest.replaced(names, ids))
    for m, marks in zip(manifest.layers, matched):
        if m.key_column == "file_name":  # a rejected file's name matches its row too
            m.mark([r["file_name"] for r in log.rejected], marks)
    log.manifest_unmatched(sorted({k for m, marks in zip(manifest.layers, matched) for k in m.unmatched_rows(marks)}))
    if isinstance(manifest, Layered):
        log.manifest_replaced = dict(sorted(replaced.items()))


def _batch_rows(stage_path: str) -> tuple[list[int], int]:
    """The rows of each record batch of the stage, and the staged documents (rows, or
    duplicates of one) whose input was a web page: one read of the small ``_markup`` column."""
    rows, html = [], 0
    for b in read_batches(stage_path, ["_markup"]):
        rows.append(b.num_rows)
        html += pc.sum(b.column(0)).as_py() or 0
    return rows, html


def _with_cached(cache: incremental.StageCache, entries, rehash: bool, found: list[int] | None = None):
    """``(relative path, source, what the cache knows of it)`` of each entry, looked up in runs;
    ``found[0]``, if given, counts the entries."""
    entries, found = iter(entries), [0] if found is None else found
    while chunk := list(itertools.islice(entries, 512)):
        found[0] += len(chunk)
        known = cache.known_many([rel for rel, _ in chunk], rehash=rehash)
        yield from [(rel, source, k) for (rel, source), k in zip(chunk, known)]


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._t, 3)
        self._t = now

