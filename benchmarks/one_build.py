"""One build of a dump into a temporary folder, nothing printed but the code's path: a command for
``farm-bench`` to time whole, before against after (round 33, sparse):

    farm-bench -n 5 --vs "sh -c 'cd /tmp/base && PYTHONPATH=/tmp/base exec python $PWD/benchmarks/one_build.py DUMP'" \\
        -- python benchmarks/one_build.py DUMP [--engine ray]

(run from the code's own folder: Ray's workers import the code of the driver's working folder).
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import corpuspack


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--engine", choices=("local", "ray"), default="local")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    kw = {"engine": "ray"} if args.engine == "ray" else {"jobs": args.jobs}
    with tempfile.TemporaryDirectory() as tmp:
        corpuspack.build(args.dump, Path(tmp) / "out", progress=False, **kw)
    print(corpuspack.__file__)


if __name__ == "__main__":
    main()
