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
    if kwargs.get("jobs", getattr(options, "jobs", None)) != 1:  # a process pool is likely: start its parent now
        from .builder.engines.forkserver import warm_up

        warm_up()
    from .builder.pipeline import build as _build

    return _build(input_dir, output_dir, options, **kwargs)


def validate(output_dir, *, load: bool = True) -> list:
    """Check an output folder offline before publishing it: problems found, each naming its
    file (empty: it can be published as it is). ``load=False`` skips the loading tests."""
    from .builder.release.validate import validate as _validate

    return _validate(str(output_dir), load=load)


def inspect(output_dir, version=None, console=None) -> dict:
    """Print a version's statistics (default: the latest) as tables and bars; returns them."""
    from .builder.release.inspect import render

    return render(str(output_dir), version, console)


__all__ = ["build", "validate", "inspect", "__version__"]
