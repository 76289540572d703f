"""Imported by the workers' fork server (see :mod:`.forkserver`): the per-document code, and the
tables it otherwise builds on first use in each worker, built once before any worker is forked
(workers inherit them): the outlet gazetteer (~0.3 s), the fingerprints' character tables
(~0.06 s) and normalize's table of invisible characters
and spaces (~0.03 s, needed by any text holding a no-break space or a format character such as the
Persian ZWNJ; without the compiled kernels its regex, ~0.3 s).

langdetect's profiles (~0.4 s, 65 MB) are left to the workers that need them: most builds
decide every document with CLD2.
"""
from . import batch  # noqa: F401 - the per-document code (pass 1's work on a batch)
from ..document.clean import _invisible, _native_spaces, _space_table
from ..document.fingerprint import tables
from ..document.metadata.outlets import gazetteer

gazetteer()
tables()
_space_table()
if _native_spaces is None:  # pragma: no cover - built without a C compiler
    _invisible()
