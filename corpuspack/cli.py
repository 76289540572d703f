"""The `corpuspack` command line."""
from __future__ import annotations

import argparse
import json
import sys

from .builder.options import BuildOptions, default_jobs, parse_splits


def _build(args) -> int:
    from . import build  # starts the workers' parent before it imports the builder

    opts = BuildOptions(version=args.version, name=args.name, jobs=args.jobs or default_jobs(), splits=parse_splits(args.splits),
                        near_dedup=args.near_dedup, near_dup_threshold=args.near_dup_threshold,
                        repeated_line_min_docs=args.repeated_line_min_docs,
                        repeated_line_min_fraction=args.repeated_line_min_fraction,
                        drop_quality=tuple(w for w in (args.drop_quality or "").split(",") if w), manifest=args.manifest, replace=args.replace, git=args.git, rehash=args.rehash,
                        progress=not args.quiet, engine=args.engine, address=args.address)
    result = build(args.input_dir, args.output_dir, opts)
    if args.quiet:
        print(json.dumps({"version": result.version, "counts": result.counts}))
    return 0


def _versions(args) -> int:
    from .builder.release import versions

    rows = [versions.read_manifest(args.output_dir, v) for v in versions.list_versions(args.output_dir)]
    if not rows:
        print(f"{args.output_dir}: no versions", file=sys.stderr)
        return 1
    print(f"{'version':<12}{'config':<14}{'released':<12}{'documents':>10}  splits")
    for m in rows:
        splits = ", ".join(f"{s}={i['num_examples']}" for s, i in m["splits"].items())
        print(f"{m['version']:<12}{versions.config_name(m['version']):<14}{m['released']:<12}{m['counts']['included']:>10}  {splits}")
    return 0


def _diff(args) -> int:
    from .builder.release.compare import diff

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
    from .builder.release.verify import verify

    problems = verify(args.output_dir)
    for p in problems:
        print(f"corpuspack verify: {p}", file=sys.stderr)
    if not problems:
        print(f"{args.output_dir}: all data files match their checksums")
    return 1 if problems else 0


def _card(args) -> int:
    from .builder.release.card import write_card

    print(write_card(args.output_dir))
    return 0


def _push(args) -> int:
    from .builder.release.publish import push

    push(args.output_dir, args.repo_id, private=args.private, token=args.token)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="corpuspack", description="Turn a text dump into a versioned Hugging Face dataset.")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build a dataset version from a dump folder")
    b.add_argument("input_dir")
    b.add_argument("output_dir")
    b.add_argument("--version", help="semantic version to write (default 1.0.0 for a new output)")
    b.add_argument("--name", help="the dataset's name in its card (default: the input folder's name)")
    b.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    b.add_argument("--splits", help="e.g. train=0.98,validation=0.01,test=0.01 (default: train only)")
    b.add_argument("--near-dedup", choices=["annotate", "drop"], default="annotate")
    d = BuildOptions()
    b.add_argument("--near-dup-threshold", type=float, default=d.near_dup_threshold,
                   help=f"estimated Jaccard similarity of near duplicates (default {d.near_dup_threshold})")
    b.add_argument("--repeated-line-min-docs", type=int, default=d.repeated_line_min_docs,
                   help=f"a short line is boilerplate when at least this many documents hold it "
                        f"(default {d.repeated_line_min_docs}) ...")
    b.add_argument("--repeated-line-min-fraction", type=float, default=d.repeated_line_min_fraction,
                   help=f"... and at least this share of the documents (default {d.repeated_line_min_fraction})")
    b.add_argument("--drop-quality", metavar="WARNINGS",
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
    u = on_output("push", "upload an output folder to the Hugging Face Hub, one tag per version", _push)
    u.add_argument("repo_id")
    u.add_argument("--private", action="store_true")
    u.add_argument("--token")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, OSError) as e:  # user errors: a clear message, no traceback
        print(f"corpuspack {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: a message, not a traceback (the build removed its work folder)
        print(f"corpuspack {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
