"""corpuspack: turn a raw text dump into a versioned Hugging Face dataset.

    >>> import corpuspack
    >>> result = corpuspack.build("dump/", "out/", version="1.0.0")
    >>> from datasets import load_dataset
    >>> ds = load_dataset("out/")
"""
from importlib.metadata import PackageNotFoundError, version as _pkg_version

try:
    __version__ = _pkg_version("corpuspack")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+src"


def build(input_dir, output_dir, options=None, **kwargs):
    """Build a dataset version; see :class:`corpuspack.builder.options.BuildOptions` for the options."""
    local = kwargs.get("engine", getattr(options, "engine", "local")) == "local"
    if local and kwargs.get("jobs", getattr(options, "jobs", None)) != 1:  # a process pool is likely: start its parent now
        from .builder.engines.forkserver import warm_up

        warm_up()
    from .builder.pipeline import build as _build

    return _build(input_dir, output_dir, options, **kwargs)


__all__ = ["build", "__version__"]
