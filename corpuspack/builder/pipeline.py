"""The build, stage by stage: discover -> read/decode -> clean -> extract
metadata (pass 1, per document, parallel) -> deduplicate and find repeated
lines (pass 2, corpus-level, over Arrow columns) -> split -> write shards,
card, manifest and report (pass 3, streaming).

Nothing of the corpus is held in memory as Python objects: pass 1 streams
batches into a staging Parquet file; passes 2 and 3 read it back in batches.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace

import pyarrow as pa
import pyarrow.parquet as pq

from .. import schema
from . import card, corpus, provenance, report, versions
from .discover import discover
from .engine import run
from .options import BuildOptions
from .progress import progress
from .sidecar import Manifest, load_manifest
from .split import assign_split
from .stage import STAGE_SCHEMA
from .write import ShardWriter

TMP_PREFIX = ".corpuspack-tmp-"


@dataclass(frozen=True)
class BuildResult:
    output_dir: str
    version: str
    counts: dict
    manifest: dict

    @property
    def config_name(self) -> str:
        return versions.config_name(self.version)


def _count_files(root: str) -> int:
    return sum(1 for _ in discover(root))


def build(input_dir: str | os.PathLike, output_dir: str | os.PathLike, options: BuildOptions | None = None, **kwargs) -> BuildResult:
    """Build (or add a version to) the dataset in ``output_dir`` from the dump in ``input_dir``."""
    options = replace(options or BuildOptions(), **kwargs)
    root, out = os.fspath(input_dir), os.fspath(output_dir)
    if not os.path.isdir(root):
        raise NotADirectoryError(f"input folder not found: {root}")
    os.makedirs(out, exist_ok=True)
    version, previous_version = versions.resolve_new_version(out, options.version, replace=options.replace)
    previous = versions.read_manifest(out, previous_version) if previous_version else None
    manifest = load_manifest(options.manifest) if options.manifest else None  # fails before any work
    tmp = tempfile.mkdtemp(prefix=TMP_PREFIX, dir=out)
    try:
        return _build(root, out, tmp, version, previous, manifest, options)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _build(root, out, tmp, version, previous, manifest: Manifest | None, options: BuildOptions) -> BuildResult:
    log = report.Ledger()
    stage_path = os.path.join(tmp, "stage.parquet")

    # pass 1: every file through the per-document function, streamed to the staging file
    total = _count_files(root)
    bar = progress(total, "documents", enabled=options.progress)
    inputs = provenance.InputDigest()
    with pq.ParquetWriter(stage_path, STAGE_SCHEMA, compression="none") as stage:
        for items, records, rejections in run(discover(root), options.doc_options(), jobs=options.jobs, batch_size=options.batch_size):
            stage.write_batch(records)
            inputs.add_batch(records, rejections)
            log.rejected_many(rejections)
            bar.update(len(items))
    bar.close()

    # pass 2: corpus-level decisions over Arrow columns
    plan = corpus.plan(stage_path, options, log)

    # pass 3: apply the decisions, join the manifest, split, write shards
    extra = manifest.extra_schema if manifest else None
    out_schema = schema.features(extra).arrow_schema
    writers = {name: ShardWriter(out, name, out_schema, rows_per_shard=options.rows_per_shard,
                                 row_group_size=options.row_group_size, tmp_dir=tmp)
               for name, _ in options.splits}
    offset = 0
    for batch in pq.ParquetFile(stage_path).iter_batches(batch_size=options.row_group_size):
        rows = batch.to_pylist()
        per_split: dict[str, list[dict]] = {name: [] for name in writers}
        for i, row in enumerate(rows):
            final = plan.finish(offset + i, row, manifest)
            if final is None:
                continue
            log.included(row["file_name"])
            per_split[assign_split(final["id"], options.splits)].append(final)
        offset += len(rows)
        for name, finals in per_split.items():
            if finals:
                writers[name].write(pa.RecordBatch.from_pylist(finals, schema=out_schema))
    shards = {name: w.close() for name, w in writers.items()}
    if manifest is not None:
        log.manifest_unmatched(manifest.unmatched())

    counts = log.counts()
    if counts["found"] != total or sum(v for k, v in counts.items() if k != "found") != total:
        raise AssertionError(f"internal error: the report does not account for every file ({counts}, {total} found)")

    feats = schema.features(extra)
    payload = provenance.version_manifest(
        version=version, previous=previous, shards=shards, features=feats, inputs=inputs,
        options=options, counts=counts)
    versions.check_schema_bump(version, payload["features"], previous)
    report_payload = log.to_dict(plan.summary(), version=version)
    vdir = os.path.join(out, versions.VERSIONS_DIR, version)
    versions.write_json_atomic(os.path.join(vdir, "build_report.json"), report_payload)
    versions.write_json_atomic(versions.manifest_path(out, version), payload)  # the commit point
    card.write_card(out)
    versions.remove_unreferenced(out)
    report.print_summary(report_payload, out, file=sys.stderr if options.progress else None)
    return BuildResult(out, version, counts, payload)
