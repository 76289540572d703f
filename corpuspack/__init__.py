"""corpuspack: turn a raw text dump into a versioned Hugging Face dataset.

    >>> import corpuspack
    >>> result = corpuspack.build("dump/", "out/", version="1.0.0")
    >>> from datasets import load_dataset
    >>> ds = load_dataset("out/")

Every command of the ``corpuspack`` CLI is a function here: :func:`build`, :func:`versions`,
:func:`diff`, :func:`verify`, :func:`card`, :func:`push`.
"""
import os


def __getattr__(name: str):
    """``__version__``, read from the installed package's metadata on first use (importing
    ``importlib.metadata`` costs ~40 ms of CPU, which the workers' parent and the card's painter,
    importing this package, need not pay)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("corpuspack")
    except PackageNotFoundError:  # running from a source tree
        value = "0.0.0+src"
    globals()["__version__"] = value
    return value


def build(input_dir, output_dir, options=None, **kwargs):
    """Build a dataset version; see :class:`corpuspack.builder.options.BuildOptions` for the options."""
    local = kwargs.get("engine", getattr(options, "engine", "local")) == "local"
    from .builder.release import painter

    if local and kwargs.get("jobs", getattr(options, "jobs", None)) != 1:  # a process pool is likely: start its parent now
        from .builder.engines.forkserver import warm_up

        warm_up()
        painter.start()  # and the card's painter (matplotlib imported while this process imports the builder)
    try:
        from .builder.pipeline import build as _build

        return _build(input_dir, output_dir, options, **kwargs)
    finally:
        painter.stop()  # a build that failed before it took the painter over leaves none behind


def versions(output_dir) -> list[dict]:
    """The manifests of the versions in ``output_dir``, oldest first (``version``, ``released``,
    ``counts``, ``splits``, ...; a folder with none gives ``[]``)."""
    from .builder.document.discover import need_folder
    from .builder.release import versions as _versions

    out = os.fspath(output_dir)
    need_folder(out, "output folder")
    return _versions.read_manifests(out)


def diff(output_dir, old: str, new: str) -> dict[str, list[str]]:
    """Ids of the documents ``added``, ``removed`` and ``changed`` from version ``old`` to ``new``."""
    from .builder.document.discover import need_folder
    from .builder.release.compare import diff as _diff

    out = os.fspath(output_dir)
    need_folder(out, "output folder")
    return _diff(out, old, new)


def verify(output_dir) -> list[str]:
    """Problems found in ``output_dir`` (data files against their SHA-256, the card against the
    manifests), as sentences naming the file; ``[]`` when all is well."""
    from .builder.document.discover import need_folder
    from .builder.release.verify import verify as _verify

    out = os.fspath(output_dir)
    need_folder(out, "output folder")
    return _verify(out)


def card(output_dir) -> str:
    """Rewrite the dataset card (README.md) from the version manifests, holding the output
    folder's lock (a killed build's version is completed or rolled back first); its path."""
    from .builder.document.discover import need_folder
    from .builder.release.card import write_card
    from .builder.release.lock import need_output, output_lock

    out = os.fspath(output_dir)
    need_folder(out, "output folder")
    need_output(out, "no card to write")
    with output_lock(out):
        return write_card(out)


def push(output_dir, repo_id: str, *, private: bool = False, token: str | None = None, api=None) -> list[str]:
    """Upload every version in ``output_dir`` to the Hub dataset ``repo_id`` (one commit and tag
    per version, holding the output folder's lock); the tags made. A network failure raises
    ConnectionError with one line saying what failed and what to do."""
    from .builder.document.discover import need_folder
    from .builder.release.publish import push as _push

    out = os.fspath(output_dir)
    need_folder(out, "output folder")
    return _push(out, repo_id, private=private, token=token, api=api)


def validate(output_dir, *, load: bool = True) -> list:
    """Check an output folder offline before publishing it: problems found, each naming its
    file (empty: it can be published as it is). ``load=False`` skips the loading tests."""
    from .builder.release.validate import validate as _validate

    return _validate(str(output_dir), load=load)


def inspect(output_dir, version=None, console=None) -> dict:
    """Print a version's statistics (default: the latest) as tables and bars; returns them."""
    from .builder.release.inspect import render

    return render(str(output_dir), version, console)


__all__ = ["build", "versions", "diff", "verify", "card", "push", "validate", "inspect", "__version__"]
