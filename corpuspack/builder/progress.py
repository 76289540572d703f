"""Progress bars (tqdm), silenced for library use and non-interactive runs."""
from __future__ import annotations

import sys

from tqdm.auto import tqdm


def progress(total: int | None, unit: str, *, enabled: bool = True):
    return tqdm(total=total, unit=f" {unit}", disable=not enabled, file=sys.stderr,
                dynamic_ncols=True, mininterval=0.5, desc="corpuspack")
