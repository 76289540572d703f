"""Imported by the workers' fork server (see :mod:`.forkserver`): the per-document code, and the
tables it otherwise builds on first use in each worker, built once before any worker is forked
(workers inherit them): the outlet gazetteer (~0.3 s) and its dateline form (~0.06 s), the place
gazetteer, quality's table of character classes (~0.05 s), CLD2's extension, the fingerprints'
character tables (~0.06 s) and normalize's table of invisible characters
and spaces (~0.03 s, needed by any text holding a no-break space or a format character such as the
Persian ZWNJ; without the compiled kernels its regex, ~0.3 s).

langdetect's profiles (~0.4 s, 65 MB) are left to the workers that need them: most builds
decide every document with CLD2.
"""
import pycld2  # noqa: F401 - language identification's first step
from . import batch  # noqa: F401 - the per-document code (pass 1's work on a batch)
from ..document import quality  # noqa: F401 - its table of character classes, made as it is imported
from ..document.clean import _invisible, _native_spaces, _space_table
from ..document.fingerprint import tables
from ..document.metadata.outlets import dateline_gazetteer, gazetteer
from ..document.metadata.places import places

gazetteer()
dateline_gazetteer()
places()
tables()
_space_table()
if _native_spaces is None:  # pragma: no cover - built without a C compiler
    _invisible()
