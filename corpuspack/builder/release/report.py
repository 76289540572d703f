"""The build report: where every input file went.

Each file found is exactly one of: ``included`` (a row of the dataset),
``duplicate`` (dropped as a copy of another document, named), or
``rejected`` (with a reason code and a detail naming the problem).
"""
from __future__ import annotations

from collections import Counter

REASONS = {
    "empty": "the file is empty, holds only white space, or only boilerplate",
    "binary": "the file is binary (a known binary signature, NUL bytes, or control characters)",
    "undecodable": "the bytes are not valid in any encoding that could be detected with confidence",
    "unreadable": "the file or folder could not be read or listed (permissions, I/O error, removed meanwhile)",
    "symlink": "a symbolic link not followed (not asked to, or it leads outside the input folder, nowhere, or in a loop)",
    "name_collision": "another file of the folder has the same name once bytes that are not UTF-8 are written as \\xNN",
    "too_large": "the file is larger than --max-file-size",
    "duplicate_id": "another file has the same document id",
    "quality": "the document has a quality warning that --drop-quality excludes",
    "error": "processing this file raised an unexpected error (a defect: please report it)",
    "html": "an HTML page, and the HTML extractor (the extra corpuspack[html]) is not installed or cannot be imported",
    "bad_line": "a line of a JSON Lines file that is not an object with a text field",
    "unsafe_path": "an archive member named with an absolute path or '..': it would lie outside the dump",
    "link": "an archive member that is a symbolic or hard link (not followed)",
    "duplicate_name": "an archive member whose name an earlier member has",
    "corrupt": "the archive is damaged or cut short here; the members after it could not be read",
}


class Ledger:
    def __init__(self) -> None:
        self._included = 0
        self.rejected: list[dict] = []
        self.duplicates: list[dict] = []
        self.unmatched_manifest_rows: list[str] = []
        self.files_without_manifest_row = 0
        self.manifest_replaced: dict[str, int] | None = None  # JSON lines' values the --manifest replaced, by field

    def rejected_many(self, rows: list[dict]) -> None:
        self.rejected.extend(rows)

    def reject(self, file_name: str, reason: str, detail: str) -> None:
        self.rejected.append({"file_name": file_name, "reason": reason, "detail": detail})

    def duplicate(self, file_name: str, doc_id: str, duplicate_of: str, kind: str) -> None:
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
        by_reason = Counter(r["reason"] for r in self.rejected)
        return {
            "version": version,
            "counts": self.counts(),
            "rejected_by_reason": dict(sorted(by_reason.items())),
            "reasons": {k: REASONS[k] for k in sorted(by_reason) if k in REASONS},
            "rejected": sorted(self.rejected, key=lambda r: r["file_name"]),
            "duplicates": sorted(self.duplicates, key=lambda r: r["file_name"]),
            "manifest": {"rows_matching_no_file": self.unmatched_manifest_rows,
                         "files_without_manifest_row": self.files_without_manifest_row,
                         **({} if self.manifest_replaced is None
                            else {"line_values_replaced": self.manifest_replaced})},
            **corpus_summary,
        }


def print_summary(payload: dict, out: str, *, file=None, empty_splits=(), copied: int = 0) -> None:
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
    for r in payload["rejected"][:10]:
        lines.append(f"    ! {r['file_name']}: {r['reason']}: {r['detail']}")
    if len(payload["rejected"]) > 10:
        lines.append(f"    ... {len(payload['rejected']) - 10} more in versions/{payload['version']}/build_report.json")
    for split in empty_splits:
        lines.append(f"  ! split {split!r} holds no document: left out of the card's config (datasets cannot load an empty split)")
    if copied:
        lines.append(f"  ! {copied} unchanged shard(s) copied into data/v{payload['version']}/: this file system "
                     "cannot hard-link them (they take space twice on disk, still one blob on the Hub)")
    print("\n".join(lines), file=file)
