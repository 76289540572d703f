"""The build report: where every input file went.

Each file found is exactly one of: ``included`` (a row of the dataset),
``duplicate`` (dropped as a copy of another document, named), or
``rejected`` (with a reason code and a detail naming the problem).

The build holds counts, not rows: the named rows (rejections, duplicates) beyond
:data:`RUN_ROWS` of a kind go to sorted runs on disk (:class:`NamedRows`), merged as the report
is written (:func:`chunks`), after its counts; :func:`read_head` reads a report's counts without
its named rows.
"""
from __future__ import annotations

import heapq
import itertools
import json
import os
from collections import Counter
from collections.abc import Iterator

from . import versions

REASONS = {
    "empty": "the file is empty, holds only white space, or only boilerplate",
    "binary": "the file is binary (a known binary signature, NUL bytes, or control characters)",
    "undecodable": "the bytes are not valid in any encoding that could be detected with confidence",
    "unreadable": "the file or folder could not be read or listed (permissions, I/O error, removed meanwhile; an "
                  "archive member encrypted, or compressed with a method Python cannot read)",
    "symlink": "a symbolic link not followed (not asked to, or it leads outside the input folder, nowhere, or in a loop)",
    "name_collision": "another file of the folder has the same name once bytes that are not UTF-8 are written as \\xNN",
    "too_large": "the file is larger than --max-file-size",
    "duplicate_id": "another file has the same document id",
    "quality": "the document has a quality warning that --drop-quality excludes",
    "error": "processing this file raised an unexpected error (a defect: please report it)",
    "html": "an HTML page, and the HTML extractor (the extra corpuspack[html]) is not installed or cannot be imported",
    "bad_line": "a line of a JSON Lines file that is not an object with a text field",
    "unsafe_path": "an archive member named with an absolute path or '..' (it would lie outside the dump), or with no name",
    "link": "an archive member that is a symbolic or hard link (not followed)",
    "duplicate_name": "an archive member whose name an earlier member has",
    "corrupt": "the archive is damaged or cut short here; the members after it could not be read",
}


#: named rows of one kind (rejections, or duplicates) a build holds before it writes them, sorted,
#: to a run of its own on disk (~0.5 KB each in memory: ~25 MB)
RUN_ROWS = 50_000

#: the report's named rows, written last, after its counts (see :func:`read_head`)
NAMED = ("rejected", "duplicates")


def _name(row: dict) -> str:
    return row["file_name"]


class NamedRows:
    """The report's rows of one kind, as they come; beyond ``run_rows`` held, the held rows are
    sorted by file name and written to a run (JSON Lines, in ``folder``). Iterating gives every
    row in the order ``sorted(rows, key=file_name)`` gives them (runs merged, ties in arrival order)."""

    def __init__(self, folder: str | None = None, kind: str = "rows", run_rows: int | None = None):
        self.folder, self.kind = folder, kind
        self.run_rows = RUN_ROWS if run_rows is None else run_rows
        self._held: list[dict] = []
        self._runs: list[str] = []
        self._count = 0

    def append(self, row: dict) -> None:
        self._held.append(row)
        self._count += 1
        if self.folder is not None and len(self._held) >= self.run_rows:
            self._spill()

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[dict]:
        held = sorted(self._held, key=_name)
        if not self._runs:
            return iter(held)
        return heapq.merge(*map(_read_run, self._runs), held, key=_name)  # stable: earlier runs first on ties

    def _spill(self) -> None:
        path = os.path.join(self.folder, f"report-{self.kind}-{len(self._runs)}.jsonl")
        with open(path, "w", encoding="ascii") as fh:  # JSON's escapes: any string comes back as it was
            fh.writelines(json.dumps(row) + "\n" for row in sorted(self._held, key=_name))
        self._runs.append(path)
        self._held = []


def _read_run(path: str) -> Iterator[dict]:
    with open(path, encoding="ascii") as fh:
        for line in fh:
            yield json.loads(line)


def ranked(counts: dict) -> dict:
    """Counts by value, the most frequent first (ties by the value's text), None named ``none``."""
    return {("none" if k is None else k): n for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))}


class Ledger:
    """Where every file went, in counts, and the named rows (:class:`NamedRows`, in ``folder``)."""

    def __init__(self, folder: str | None = None) -> None:
        self._included = 0
        self.rejected = NamedRows(folder, "rejected")
        self.duplicates = NamedRows(folder, "duplicates")
        self._reasons: Counter = Counter()
        self._kinds: Counter = Counter()
        self.unmatched_manifest_rows: list[str] = []
        self.files_without_manifest_row = 0
        self.manifest_replaced: dict[str, int] | None = None  # JSON lines' values the --manifest replaced, by field

    def rejected_many(self, rows: list[dict]) -> None:
        for row in rows:
            self._reasons[row["reason"]] += 1
            self.rejected.append(row)

    def reject(self, file_name: str, reason: str, detail: str) -> None:
        self.rejected_many([{"file_name": file_name, "reason": reason, "detail": detail}])

    def duplicate(self, file_name: str, doc_id: str, duplicate_of: str, kind: str) -> None:
        self._kinds[kind] += 1
        self.duplicates.append({"file_name": file_name, "id": doc_id, "duplicate_of": duplicate_of, "kind": kind})

    def apply(self, events: list[tuple]) -> None:
        """Events from a finishing task (see :class:`corpuspack.builder.corpus.finish.Finished`)."""
        for kind, name, *rest in events:
            if kind == "included":
                self._included += 1
            elif kind == "included_rows":  # (kind, how many): rows counted, not named
                self._included += name
            elif kind == "reject":
                self.reject(name, *rest)
            elif kind == "duplicate":
                self.duplicate(name, *rest)
            else:
                raise ValueError(f"unknown ledger event {kind!r}")

    def manifest_unmatched(self, keys: list[str]) -> None:
        self.unmatched_manifest_rows = list(keys)

    def counts(self) -> dict:
        included, dup, rej = self._included, len(self.duplicates), len(self.rejected)
        return {"found": included + dup + rej, "included": included, "duplicate": dup, "rejected": rej}

    def to_dict(self, corpus_summary: dict, *, version: str) -> dict:
        """The report: its counts, then the named rows (:class:`NamedRows`, written by :func:`chunks`)."""
        return {
            "version": version,
            "counts": self.counts(),
            "rejected_by_reason": dict(sorted(self._reasons.items())),
            "duplicates_by_kind": ranked(self._kinds),
            "reasons": {k: REASONS[k] for k in sorted(self._reasons) if k in REASONS},
            "manifest": {"rows_matching_no_file": self.unmatched_manifest_rows,
                         "files_without_manifest_row": self.files_without_manifest_row,
                         **({} if self.manifest_replaced is None
                            else {"line_values_replaced": self.manifest_replaced})},
            **corpus_summary,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
        }


def chunks(payload: dict) -> Iterator[str]:
    """The report's text (what ``versions.json_text`` makes of it with its named rows as lists), in
    pieces: the named rows one at a time, as their runs are merged."""
    marks = {key: f"@corpuspack-named-rows-{key}@" for key in NAMED if key in payload}
    head = {k: (marks[k] if k in marks else v) for k, v in payload.items()}
    text = json.dumps(head, ensure_ascii=False, indent=2) + "\n"
    for key, mark in marks.items():
        before, text = text.split(f"\n  {json.dumps(key)}: {json.dumps(mark)}", 1)  # a top-level key's line
        yield before + f"\n  {json.dumps(key)}: "
        rows = iter(payload[key])
        first = next(rows, None)
        if first is None:
            yield "[]"
            continue
        yield "[\n"
        for i, row in enumerate(itertools.chain([first], rows)):
            yield ("" if i == 0 else ",\n") + "\n".join("    " + line for line in _row_text(row).split("\n"))
        yield "\n  ]"
    yield text


_FLAT = (str, int)  # (bool is not int here: type(True) is bool, written by json.dumps below)
_scalar = json.JSONEncoder(ensure_ascii=False).encode


def _row_text(row: dict) -> str:
    """A named row as JSON; one holding a string UTF-8 cannot write (an unpaired surrogate, say in a
    detail quoting its input) with JSON's escapes, which give the same string back. A row of strings,
    numbers and nulls (the usual) is written here as ``json.dumps(row, indent=2)`` writes it: its
    values by json's C encoder, where ``indent`` sends the whole row through json's Python one (~3x
    the time: 0.1 s for the 3,000 rows of 100,000 generated documents)."""
    if row and all(type(k) is str and (v is None or type(v) in _FLAT) for k, v in row.items()):
        text = "{\n" + ",\n".join(f"  {_scalar(k)}: {_scalar(v)}" for k, v in row.items()) + "\n}"
    else:
        text = json.dumps(row, ensure_ascii=False, indent=2)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(row, indent=2)
    return text


def read_head(path: str) -> dict:
    """A report's keys before its named rows (its counts, read without them: they come last), or
    the whole report when it is one written before they did. ValueError naming the file when it
    does not read."""
    try:
        return _head(path)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not a readable build report ({type(e).__name__}: {e})") from None


def _head(path: str) -> dict:
    lines = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(tuple(f"  {json.dumps(key)}: " for key in NAMED)):
                head = json.loads("".join(lines).rstrip().rstrip(",") + "\n}")
                if "duplicates_by_kind" in head:
                    return head
                break
            lines.append(line)
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


#: where a refused build's report is kept (:func:`nothing_to_publish`), inside OUT's own cache folder
REFUSED_NAME = "refused_build_report.json"


class NothingToPublish(ValueError):
    """A build in which no document is included (an empty dump, every file rejected or excluded):
    no version is written (``datasets`` cannot load a split of no rows, and the version would become
    the default). ``report``: the report the version would have had, also written to ``path``."""

    def __init__(self, message: str, report: dict, path: str):
        super().__init__(message)
        self.report, self.path = report, path


def nothing_to_publish(out: str, dump: str, payload: dict) -> NothingToPublish:
    """The error of a build that includes no document, its report written (whole, every named row)
    to ``OUT/.cache/refused_build_report.json`` first, which the message names with the reasons and
    the first rejected files."""
    path = os.path.join(out, ".cache", REFUSED_NAME)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    versions.write_chunks_atomic(path, chunks(payload))
    c, skipped = payload["counts"], payload.get("inputs", {}).get("skipped", {})
    if not c["found"]:
        what = f"no file of {dump} was read" if skipped else f"{dump} holds no file to read"
    else:
        reasons = ", ".join(f"{k}: {v:,}" for k, v in payload["rejected_by_reason"].items())
        what = f"none of the {c['found']:,} files found in {dump} was included (rejected: {reasons})"
    if skipped:
        what += " (not read: " + ", ".join(f"{k} {v:,}" for k, v in skipped.items()) + ")"
    lines = [f"nothing to publish: {what}; no version written. The report: {path}"]
    rejected = list(itertools.islice(payload["rejected"], 10))
    lines += [f"  ! {r['file_name']}: {r['reason']}: {r['detail']}" for r in rejected]
    if c["rejected"] > len(rejected):
        lines.append(f"  ... {c['rejected'] - len(rejected):,} more in the report")
    return NothingToPublish("\n".join(lines), payload, path)


def forget_refused(out: str) -> None:
    """Remove a refused build's report (:func:`nothing_to_publish`): a version was written since."""
    try:
        os.remove(os.path.join(out, ".cache", REFUSED_NAME))
    except FileNotFoundError:
        pass


def print_summary(payload: dict, out: str, *, file=None, empty_splits=(), copied: int = 0,
                  damaged: list[str] = ()) -> None:
    if file is None:
        return
    c = payload["counts"]
    lines = [f"corpuspack: version {payload['version']} written to {out}",
             f"  files found  {c['found']:>10,}",
             f"  included     {c['included']:>10,}",
             f"  duplicates   {c['duplicate']:>10,}",
             f"  rejected     {c['rejected']:>10,}"]
    skipped = payload.get("inputs", {}).get("skipped", {})
    if skipped:
        lines.append(f"  not read     {sum(skipped.values()):>10,}  ("
                     + ", ".join(f"{k} {v:,}" for k, v in skipped.items()) + ")")
    for reason, n in payload["rejected_by_reason"].items():
        lines.append(f"    {reason:<12}{n:>10,}")
    for r in itertools.islice(payload["rejected"], 10):
        lines.append(f"    ! {r['file_name']}: {r['reason']}: {r['detail']}")
    if len(payload["rejected"]) > 10:
        lines.append(f"    ... {len(payload['rejected']) - 10} more in versions/{payload['version']}/build_report.json")
    for split in empty_splits:
        lines.append(f"  ! split {split!r} holds no document: left out of the card's config (datasets cannot load an empty split)")
    if copied:
        lines.append(f"  ! {copied} unchanged shard(s) copied into data/v{payload['version']}/: this file system "
                     "cannot hard-link them (they take space twice on disk, still one blob on the Hub)")
    for path in damaged:
        lines.append(f"  ! {path}: not the file its version wrote (missing, or its bytes changed): its rows were "
                     "written again into this version; the earlier versions holding it fail `corpuspack verify`")
    print("\n".join(lines), file=file)
