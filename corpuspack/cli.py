"""The `corpuspack` command line."""
from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
import threading

from . import __version__
from .builder.document.discover import need_folder, what_is
from .builder.options import BuildOptions, default_jobs, parse_size, parse_splits


def _build(args) -> int:
    from . import build  # starts the workers' parent before it imports the builder

    if args.manifest is not None and not os.path.isfile(args.manifest):
        raise ValueError(f"--manifest: {args.manifest} is {what_is(args.manifest)}, not a file")
    opts = BuildOptions(version=args.version, name=args.name, jobs=args.jobs or default_jobs(), splits=parse_splits(args.splits),
                        near_dedup=args.near_dedup, near_dup_threshold=args.near_dup_threshold,
                        repeated_line_min_docs=args.repeated_line_min_docs,
                        repeated_line_min_fraction=args.repeated_line_min_fraction,
                        drop_quality=args.drop_quality, manifest=args.manifest, replace=args.replace, git=args.git, rehash=args.rehash,
                        follow_symlinks=args.follow_symlinks, max_file_size=args.max_file_size,
                        encoding=args.encoding, progress=not args.quiet, license=args.license,
                        card_fields=_card_fields(args),
                        include=tuple(args.include or ()), exclude=tuple(args.exclude or ()),
                        text_field=args.text_field, id_field=args.id_field,
                        engine=args.engine, address=args.address)
    result = build(args.input_dir, args.output_dir, opts)
    if args.quiet:
        print(json.dumps({"version": result.version, "counts": result.counts}))
    return 0


def _card_fields(args) -> tuple:
    from .builder.release.cardfields import parse_field, read_card_file

    fields = read_card_file(args.card_file) if args.card_file else {}
    fields.update(parse_field(spec) for spec in args.card_field or [])
    return tuple(fields.items())


def _report(command: str, problems: list[str], ok: str) -> int:
    """Print each problem on stderr (exit status 1), or ``ok`` (exit status 0)."""
    for p in problems:
        print(f"corpuspack {command}: {p}", file=sys.stderr)
    if not problems:
        print(ok)
    return 1 if problems else 0


def _validate(args) -> int:
    from . import validate

    return _report("validate", validate(args.output_dir, load=not args.skip_load),
                   f"{args.output_dir}: valid: card, configs, features, checksums, loading and Croissant all check out")


def _inspect(args) -> int:
    from . import inspect

    inspect(args.output_dir, version=args.version)
    return 0


def _versions(args) -> int:
    from . import versions as list_versions
    from .builder.release import versions

    rows = list_versions(args.output_dir)
    if not rows:
        print(f"{args.output_dir}: no versions", file=sys.stderr)
        return 1
    print(f"{'version':<12}{'config':<14}{'released':<12}{'documents':>10}  splits")
    for m in rows:
        splits = ", ".join(f"{s}={i['num_examples']}" for s, i in m["splits"].items())
        print(f"{m['version']:<12}{versions.config_name(m['version']):<14}{m['released']:<12}{m['counts']['included']:>10}  {splits}")
    return 0


def _diff(args) -> int:
    from . import diff

    changes = diff(args.output_dir, args.old, args.new)
    if args.json:
        print(json.dumps(changes, indent=2))
    else:
        for kind in ("added", "removed", "changed"):
            print(f"{kind}: {len(changes[kind])}")
            for doc in changes[kind]:
                print(f"  {'+-~'[('added', 'removed', 'changed').index(kind)]} {doc}")
    return 0


def _verify(args) -> int:
    from . import verify

    return _report("verify", verify(args.output_dir), f"{args.output_dir}: all data files match their checksums")


def _card(args) -> int:
    from . import card

    print(card(args.output_dir))
    return 0


def _push(args) -> int:
    from . import push

    push(args.output_dir, args.repo_id, private=args.private, token=args.token)
    return 0


def _checked(parse, name: str):
    """An argparse type from a parser that raises ValueError (argparse then names the option)."""
    def convert(text: str):
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e).removeprefix(f"{name}: ")) from None
    convert.__name__ = name
    return convert


def _at_least(kind, low, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(f"{what}, got {text!r}") from None
        if value < low:
            raise ValueError(f"{what}, got {text!r}")
        return value
    return parse


def _within(low: float, high: float, what: str, *, open_low: bool = False):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{what}, got {text!r}") from None
        if not (low < value if open_low else low <= value) or value > high:
            raise ValueError(f"{what}, got {text!r}")
        return value
    return parse


def _warnings(text: str) -> tuple[str, ...]:
    from .builder.document.quality import WARNINGS

    names = tuple(w.strip() for w in text.split(",") if w.strip())
    unknown = [w for w in names if w not in WARNINGS]
    if unknown:
        raise ValueError(f"unknown quality warning {', '.join(unknown)} (allowed: {', '.join(WARNINGS)})")
    return names


def _semver(text: str) -> str:
    from .builder.release.versions import parse

    parse(text)
    return text


def _encoding(text: str) -> str:
    import codecs

    try:
        return codecs.lookup(text).name
    except LookupError:
        raise ValueError(f"unknown encoding {text!r} (a Python codec name, e.g. cp1256, iso8859-6, utf-16-le)") from None


def _kernels_state() -> str:
    try:
        from .builder import _kernels  # noqa: F401
    except ImportError:
        return "compiled kernels not installed: the Python code runs"
    return "compiled kernels installed"


class _ShowVersion(argparse.Action):
    """``--version``: the version and whether the compiled kernels are installed, looked up only when
    asked (importing them imports numpy, which a build imports later, after starting its workers)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version and whether the compiled kernels are installed, and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"corpuspack {__version__} ({_kernels_state()})")
        parser.exit()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="corpuspack", description="Turn a text dump into a versioned Hugging Face dataset.")
    p.add_argument("--version", action=_ShowVersion)
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build a dataset version from a dump (a folder, an archive or JSON Lines; local or remote)")
    b.add_argument("input_dir", help="the dump: a folder, an archive (.tar, .tar.gz, .tgz, .tar.zst, .zip) "
                                     "or a JSON Lines file (.jsonl, .jsonl.gz, .jsonl.zst)")
    b.add_argument("output_dir")
    b.add_argument("--version", type=_checked(_semver, "--version"),
                   help="semantic version to write (default 1.0.0 for a new output)")
    b.add_argument("--name", help="the dataset's name in its card (default: the input folder's name)")
    b.add_argument("--jobs", type=_checked(_at_least(int, 1, "a whole number of worker processes, 1 or more"), "jobs"),
                   help="worker processes, 1 or more (default: all cores)")
    b.add_argument("--splits", type=_checked(lambda t: (t, parse_splits(t))[0], "--splits"),
                   help="e.g. train=0.98,validation=0.01,test=0.01 (default: train only)")
    b.add_argument("--near-dedup", choices=["annotate", "drop"], default="annotate")
    d = BuildOptions()
    b.add_argument("--near-dup-threshold", default=d.near_dup_threshold,
                   type=_checked(_within(0, 1, "a similarity above 0 and at most 1", open_low=True), "--near-dup-threshold"),
                   help=f"near duplicates: the share of the shorter text's word pairs found in the other, "
                        f"verified on the published texts (default {d.near_dup_threshold}; docs/dedup.md)")
    b.add_argument("--repeated-line-min-docs", default=d.repeated_line_min_docs,
                   type=_checked(_at_least(int, 2, "a whole number of documents, 2 or more"), "--repeated-line-min-docs"),
                   help=f"a short line is boilerplate when at least this many documents hold it "
                        f"(default {d.repeated_line_min_docs}) ...")
    b.add_argument("--repeated-line-min-fraction", default=d.repeated_line_min_fraction,
                   type=_checked(_within(0, 1, "a share from 0 to 1"), "--repeated-line-min-fraction"),
                   help=f"... and at least this share of the documents (default {d.repeated_line_min_fraction})")
    b.add_argument("--drop-quality", metavar="WARNINGS", type=_checked(_warnings, "--drop-quality"), default=(),
                   help="comma-separated quality warnings that exclude a document, e.g. tiny,noisy (default: keep all)")
    b.add_argument("--manifest", help="sidecar crawl manifest (CSV, JSON Lines or Parquet)")
    b.add_argument("--replace", action="store_true", help="rewrite the latest version in place")
    b.add_argument("--git", action="store_true", help="make OUT a git repository: one commit and tag per version")
    b.add_argument("--rehash", action="store_true",
                   help="read and hash every input file, even one whose size and modification time are unchanged "
                        "since the last build (default: such a file's cached row is reused unread)")
    b.add_argument("--engine", choices=["local", "ray"], default="local",
                   help='local: a process pool (default); ray: Ray Data, here or on a cluster (pip install "corpuspack[ray]")')
    b.add_argument("--address", help="with --engine ray: the Ray cluster to join (auto: the one `ray start` made here; "
                                     "default: start Ray in this process)")
    b.add_argument("--follow-symlinks", action="store_true",
                   help="follow symbolic links whose target lies inside the input folder (default: every link "
                        "is skipped and named in the report; links leading outside are never followed)")
    b.add_argument("--max-file-size", metavar="SIZE", type=_checked(parse_size, "--max-file-size"),
                   default=d.max_file_size,
                   help=f"larger files are rejected unread, e.g. 64M, 1G (default {d.max_file_size >> 20}M)")
    b.add_argument("--encoding", type=_checked(_encoding, "--encoding"),
                   help="decode every file that is not UTF-8 (or UTF-16/32) with this codec, e.g. cp1256 "
                        "(default: detected per file)")
    b.add_argument("--license", help="the card's license, a Hugging Face license id (e.g. cc-by-4.0); kept for later versions")
    b.add_argument("--card-field", action="append", metavar="KEY=VALUE",
                   help="a card field (description, citation, homepage, annotations_creators, ...), repeatable; "
                        "kept for later versions; KEY= removes it")
    b.add_argument("--card-file", metavar="YAML", help="card fields from a YAML mapping (--card-field wins)")
    b.add_argument("--include", action="append", metavar="GLOB",
                   help="read only files whose relative path matches (repeatable; '*.txt' matches the name in any "
                        "folder, 'news/**/*.txt' the path); hidden files and .git/.hg/.svn are always skipped")
    b.add_argument("--exclude", action="append", metavar="GLOB", help="skip files whose relative path matches (repeatable)")
    b.add_argument("--text-field", default=d.text_field, help=f"JSON Lines: the text field (default {d.text_field})")
    b.add_argument("--id-field", default=d.id_field,
                   help=f"JSON Lines: the id field, used when a line has it (default {d.id_field})")
    b.add_argument("--quiet", action="store_true", help="no progress bar; print the counts as JSON")
    b.set_defaults(func=_build)

    def on_output(name: str, help: str, func) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help)
        cmd.add_argument("output_dir")
        cmd.set_defaults(func=func)
        return cmd

    on_output("versions", "list the versions in an output folder", _versions)
    d = on_output("diff", "documents added, removed and changed between two versions", _diff)
    d.add_argument("old")
    d.add_argument("new")
    d.add_argument("--json", action="store_true")
    on_output("verify", "re-check every data file against its checksum", _verify)
    on_output("card", "rewrite the dataset card (README.md) from the version manifests", _card)
    val = on_output("validate", "check an output folder offline before publishing it (exit status 1 on problems)", _validate)
    val.add_argument("--skip-load", action="store_true", help="skip the load_dataset, streaming and Croissant load tests")
    ins = on_output("inspect", "a version's statistics on the terminal", _inspect)
    ins.add_argument("--version", help="the version to show (default: the latest)")
    u = on_output("push", "upload an output folder to the Hugging Face Hub, one tag per version", _push)
    u.add_argument("repo_id")
    u.add_argument("--private", action="store_true")
    u.add_argument("--token")
    return p


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the build is so that it unwinds as for Ctrl-C (work folder removed,
    a version being committed rolled back, workers stopped)."""


def _terminate(signum, frame):
    raise _Terminated()


#: errors of a disk that is full (or a quota reached): said as such, with what to do
_DISK_FULL = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded"}


def _error_message(e: Exception, args) -> str:
    if isinstance(e, OSError) and e.errno in _DISK_FULL:
        where = getattr(args, "output_dir", None)
        return (f"{_DISK_FULL[e.errno]}{f' (writing to {where})' if where else ''}: {e}; free some space and run "
                "the same command again")
    return str(e)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:  # --help, --version, or an option argparse refused (its message printed)
        return e.code if isinstance(e.code, int) else 2
    previous = signal.signal(signal.SIGTERM, _terminate) if threading.current_thread() is threading.main_thread() else None
    try:
        if args.command != "build":
            need_folder(args.output_dir, "output folder")
        return args.func(args)
    except (ValueError, OSError) as e:  # user errors: a clear message, no traceback
        print(f"corpuspack {args.command}: error: {_error_message(e, args)}", file=sys.stderr)
        return 2
    except _Terminated:
        print(f"corpuspack {args.command}: terminated (SIGTERM)", file=sys.stderr)
        return 143
    except KeyboardInterrupt:  # Ctrl-C: a message, not a traceback (the build removed its work folder)
        print(f"corpuspack {args.command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


#: what :func:`main` returns after Ctrl-C (128 + SIGINT, as a shell reports an interrupted command)
INTERRUPTED = 130


def run() -> None:
    """The command's entry point (the ``corpuspack`` script, ``python -m corpuspack.cli``): exits with
    :func:`main`'s status, except after Ctrl-C, when it ends the process by SIGINT, as an
    interrupted command should (a shell shows status 130; a calling loop sees the Ctrl-C).

    Every time, not depending on where the signal fell: CPython marks a KeyboardInterrupt that
    passed through ``eval``/``exec`` of a string as unhandled even once caught (a process-wide flag,
    cpython gh-128130), and then ends the process by SIGINT whatever status it exits with. Such an
    ``eval`` runs inside every ``collections.namedtuple``, so a Ctrl-C that fell while a module was
    being imported (the build imports ``datasets`` just after making its work folder) made the
    status -SIGINT where it was otherwise 130. Now the interrupted command always leaves the same
    way: its KeyboardInterrupt is raised again, unhandled and silent (the one-line message is
    printed already), so CPython finishes the interpreter and then ends it by SIGINT."""
    code = main()
    if code == INTERRUPTED:
        sys.excepthook = _quiet_interrupt
        raise KeyboardInterrupt
    sys.exit(code)


def _quiet_interrupt(kind, value, tb) -> None:
    if not issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)


if __name__ == "__main__":
    run()
