"""Which files of a dump are documents: hidden files and folders and version-control folders
are skipped, then ``--include`` / ``--exclude`` glob patterns are applied to the relative path.

Patterns (``wcmatch`` globs): ``*`` stays within one folder, ``**`` crosses folders, and a pattern
without ``/`` matches the file's name in any folder (``*.txt``); one with ``/`` matches the whole
relative path (``news/**/*.txt``). A file is read when it matches an include pattern (or there are
none) and no exclude pattern. The same rules apply to the members of an archive.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

VCS_FOLDERS = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True)
class Selector:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def skip_reason(self, rel_path: str) -> str | None:
        """None for a document; else why it is skipped: ``vcs``, ``hidden`` or ``excluded``."""
        if "/" not in rel_path and rel_path[:1] != "." and not self.include and not self.exclude:
            return None  # a file at the top of the dump, no pattern (the usual case: nothing else to test)
        parts = rel_path.split("/")
        if any(p in VCS_FOLDERS for p in parts[:-1]):
            return "vcs"
        if any(p.startswith(".") for p in parts):
            return "hidden"
        if self.include and not _globmatch()(rel_path, self.include):
            return "excluded"
        if self.exclude and _globmatch()(rel_path, self.exclude):
            return "excluded"
        return None


@cache
def _globmatch():
    """``wcmatch``'s ``globmatch`` with this module's flags, imported on first use (a build without
    patterns never needs it: ~0.01 s of import saved)."""
    from wcmatch import glob

    flags = glob.GLOBSTAR | glob.DOTGLOB | glob.MATCHBASE
    return lambda path, patterns: glob.globmatch(path, patterns, flags=flags)
