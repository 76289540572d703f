"""corpuspack: turn a raw text dump into a versioned Hugging Face dataset."""
from importlib.metadata import PackageNotFoundError, version as _pkg_version

try:
    __version__ = _pkg_version("corpuspack")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+src"
