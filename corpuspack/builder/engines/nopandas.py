"""No pandas in a local build's processes, unless code asks for it by name.

pyarrow imports pandas, when it is installed, the first time it converts Python values (from C++,
to tell pandas objects from lists, and again at every conversion while the import fails) and when
it first checks an object (its Python-level probe, once). The build never uses pandas, and the
import costs each process ~0.3-0.4 s of CPU and ~35 MB. While :func:`hidden` is active (the build's
process during a local build; the workers' fork server and its workers for their whole life, see
:mod:`.server`), an import of pandas that pyarrow makes is refused at once (pyarrow then works
without pandas, as when it is not installed).

An import written in Python code (``import pandas``, ``importlib.import_module``,
``importlib.util.find_spec``; e.g. ``datasets`` for a manifest column of another type) is not
refused. Once pandas is imported, pyarrow's pandas support is restored (its probe, which found no
pandas while it was hidden, is run again), so ``Table.to_pandas()`` and conversions of pandas objects
work as if pandas had never been hidden.
"""
from __future__ import annotations

import contextlib
import dis
import os
import sys

_IMPORT_NAME = dis.opmap["IMPORT_NAME"]
_EXTENDED_ARG = dis.opmap["EXTENDED_ARG"]
#: frames of these files ask for a module by name on behalf of Python code
_BY_NAME = (os.path.join("importlib", "__init__.py"), os.path.join("importlib", "util.py"))
_hiding = 0  # > 0: imports of pandas made by pyarrow are refused


class _Finder:
    """A finder of the import system, first on ``sys.meta_path`` until pandas is imported."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "pandas" and not name.startswith("pandas."):
            return None
        if _hiding and "pandas" not in sys.modules and not _asked_by_python_code():  # (pandas' own parts: not refused)
            raise ModuleNotFoundError("pandas is not loaded for pyarrow during a corpuspack build", name=name)
        return _restoring_spec(name, path, target) if name == "pandas" else None


def _asked_by_python_code() -> bool:
    """The import of pandas under way was written in Python (an import statement naming pandas, or
    importlib's functions), not made by an extension module (pyarrow's probes: from a call into it,
    or from its module's start while a statement imports that module, e.g. ``pyarrow._dataset``)."""
    f = sys._getframe(2)
    while f is not None and (f.f_code.co_filename.startswith("<frozen importlib") or f.f_code is _Finder.find_spec.__code__):
        f = f.f_back
    if f is None:
        return False
    if f.f_code.co_filename.endswith(_BY_NAME):
        return True
    code, at = f.f_code.co_code, f.f_lasti
    if code[at] != _IMPORT_NAME:
        return False
    arg, shift, before = code[at + 1], 8, at - 2
    while before >= 0 and code[before] == _EXTENDED_ARG:
        arg |= code[before + 1] << shift
        shift, before = shift + 8, before - 2
    return f.f_code.co_names[arg].partition(".")[0] == "pandas"


def _restoring_spec(name, path, target):
    """pandas' spec from the other finders, its loader made to restore pyarrow's support after it."""
    for finder in sys.meta_path:
        if finder is _Finder or not hasattr(finder, "find_spec"):
            continue
        spec = finder.find_spec(name, path, target)
        if spec is not None:
            break
    else:
        return None
    run = getattr(spec.loader, "exec_module", None)
    if run is not None:
        def exec_module(module):
            run(module)
            _restore()

        spec.loader.exec_module = exec_module
    return spec


def _restore() -> None:
    """pandas is imported: this finder steps aside, and pyarrow probes for pandas again."""
    with contextlib.suppress(ValueError):
        sys.meta_path.remove(_Finder)
    lib = sys.modules.get("pyarrow.lib")
    if lib is None:
        return
    lock = getattr(lib._pandas_api, "_lock", None)
    if lock is not None and not lock.acquire(blocking=False):
        return  # pyarrow's probe is importing pandas itself right now: it finds it (waiting would deadlock)
    if lock is not None:
        lock.release()
    with contextlib.suppress(Exception):  # e.g. a pandas too old for pyarrow: it goes without, as before
        lib._pandas_api.pd  # noqa: B018 - the property runs pyarrow's probe when it found none


@contextlib.contextmanager
def hidden():
    """Within it, pyarrow does not import pandas (nothing is done if pandas is imported already)."""
    global _hiding
    if "pandas" in sys.modules:
        yield
        return
    hide()
    try:
        yield
    finally:
        _hiding -= 1


def hide() -> None:
    """Refuse pyarrow's imports of pandas from now on (see :func:`hidden`)."""
    global _hiding
    if "pandas" in sys.modules:
        return
    if _Finder not in sys.meta_path:
        sys.meta_path.insert(0, _Finder)
    _hiding += 1
