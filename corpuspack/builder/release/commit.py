"""A version made visible all at once, and what a killed build left completed or rolled back.

A version is two things readers look at: its manifest (``versions/<v>/manifest.json``, what
``corpuspack`` lists, diffs and verifies) and the dataset card (``README.md``, the configs
``datasets.load_dataset`` reads). They cannot be replaced by one rename, so a build writes a
journal first (``.cache/commit.json``: the version and the SHA-256 of its new manifest), then the
card with the new version in it, then the manifest (the commit point), then its report, and
removes the journal. Whoever next holds the output folder's lock (a build, ``card``, ``push``)
finds the journal of a build that was killed or failed (disk full) on the way and settles it:

* the new manifest is in place: the version is completed (its report and card written);
* else it is rolled back: the card is written again from the committed manifests, and the
  half-written version's folder removed (the previous manifest stays when it was ``--replace``).

The same command run again then builds the version again, with the same bytes. Every file is
written to ``<name>.tmp`` and renamed; ``.tmp`` files a killed build left are removed.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil

from . import card, report as report_mod, versions
from .stats import PENDING as _PENDING
from .incremental import CACHE_DIR

JOURNAL = "commit.json"
_REPORT = "build_report.json"


def journal_path(out: str) -> str:
    return os.path.join(out, CACHE_DIR, JOURNAL)


def commit(out: str, version: str, manifest: dict, report: dict, meanwhile=None) -> None:
    """Write the version's manifest, report and the card as one step (see the module's doc).
    ``meanwhile()``, if given, runs while the card's charts are drawn (by the build's painter),
    before the manifest is written: its failure rolls the version back."""
    manifest_text = versions.json_text(manifest)
    vdir = os.path.dirname(versions.manifest_path(out, version))
    report_path = os.path.join(vdir, _REPORT)
    try:
        versions.write_text_atomic(journal_path(out), versions.json_text(
            {"version": version, "manifest_sha256": _sha256(manifest_text)}))
        # named rows as merged; before the card, whose statistics read the report's counts
        versions.write_chunks_atomic(report_path + _PENDING, report_mod.chunks(report))
        card.write_card(out, extra=manifest, meanwhile=meanwhile)  # readers of the card see the version from here ...
        versions.write_text_atomic(versions.manifest_path(out, version), manifest_text)  # ... and of the manifests
        os.replace(report_path + _PENDING, report_path)
        os.remove(journal_path(out))
    except BaseException:
        try:  # a failed write (disk full) or Ctrl-C: roll back now rather than at the next build
            recover(out)
        except Exception:  # noqa: BLE001 - the next holder of the lock recovers; the first error is the one to see
            pass
        raise


def recover(out: str) -> str | None:
    """Settle what a killed build left (call it holding the output folder's lock): remove its
    ``.tmp`` files and complete or roll back its version. Returns ``completed <v>``,
    ``rolled back <v>`` or None (nothing to do)."""
    for pattern in ("*.tmp", f"{versions.VERSIONS_DIR}/*/*.tmp", f"{CACHE_DIR}/*.tmp", f"{CACHE_DIR}/*/*.tmp"):
        for stale in glob.glob(os.path.join(glob.escape(out), pattern)):
            os.remove(stale)
    path = journal_path(out)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            entry = json.load(fh)
        version, expected = entry["version"], entry["manifest_sha256"]
    except (ValueError, KeyError, TypeError):  # a journal cut short: nothing after it was written
        os.remove(path)
        return None
    versions.parse(version)  # a version number, not a path
    manifest = versions.manifest_path(out, version)
    vdir = os.path.dirname(manifest)
    report_path = os.path.join(vdir, _REPORT)
    done = os.path.isfile(manifest) and _sha256(_read(manifest)) == expected
    if done:
        if os.path.isfile(report_path + _PENDING):
            os.replace(report_path + _PENDING, report_path)
    else:
        if os.path.isfile(report_path + _PENDING):
            os.remove(report_path + _PENDING)
        if not os.path.isfile(manifest):
            shutil.rmtree(vdir, ignore_errors=True)
    if versions.list_versions(out):
        card.write_card(out)
    elif os.path.isfile(os.path.join(out, card.CARD_NAME)):
        os.remove(os.path.join(out, card.CARD_NAME))  # the card of a first version that never was
    os.remove(path)
    return f"{'completed' if done else 'rolled back'} {version}"


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
