"""Are two builds of the same dump the same bytes? For a change that must not change the output.

    python benchmarks/same_output.py OUT_A OUT_B

Compares every published file (data/ shards, README.md, each version's build_report.json and
manifest.json) byte for byte; in manifest.json only ``options_fingerprint`` may differ, since it
digests the code itself (a code change must invalidate caches). The build caches (.cache/) are not
compared. Exit status 0 when the same, 1 otherwise, with the differing files listed.

To build the code of another commit beside this one:
    git archive COMMIT | tar -x -C /tmp/base && (compile its _kernels.pyx in place)
    PYTHONPATH=/tmp/base python -m corpuspack.cli build DUMP OUT_A --jobs 2
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def published(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".cache" not in p.parts}


def manifest_without_code(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("options_fingerprint", None)
    return data


def main(a: Path, b: Path) -> int:
    names_a, names_b = published(a), published(b)
    bad = sorted(names_a ^ names_b)
    for name in sorted(names_a & names_b):
        pa, pb = a / name, b / name
        if pa.name == "manifest.json":
            same = manifest_without_code(pa) == manifest_without_code(pb)
        else:
            same = pa.read_bytes() == pb.read_bytes()
        if not same:
            bad.append(name)
    print(f"{len(names_a & names_b)} files compared; {'all the same' if not bad else 'differ: ' + ', '.join(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
