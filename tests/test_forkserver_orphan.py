"""A worker the fork server starts while the build's process is going away (Ctrl-C, SIGTERM, a
kill) finds the build's pipe closed before its preparation data: it ends without printing a
traceback on the build's terminal (the EOFError test_faults met under load). Reproduced here
with multiprocessing's own fork-server protocol, in a fresh interpreter: a new worker is asked
for and its pipe closed at once; the fork server's stderr is the interpreter's."""
import os
import subprocess
import sys

import pytest

from conftest import REPO

ASK_AND_GO_AWAY = """
import os, sys
from multiprocessing import forkserver as mfs
from corpuspack.builder.engines import forkserver
if sys.argv[1] == "without the hook":
    forkserver.PRELOAD = [m for m in forkserver.PRELOAD if not m.endswith(".server")]
forkserver.context()  # our fork server, with its preloaded modules
mfs.ensure_running()
sentinel, w = mfs.connect_to_new_process([])
pid = mfs.read_signed(sentinel)
os.close(w)  # the build's process went away before sending anything
print("exit status", mfs.read_signed(sentinel))
"""


@pytest.mark.parametrize("preload, traceback", [("as shipped", False), ("without the hook", True)])
def test_a_worker_whose_build_went_away_ends_without_a_traceback(preload, traceback):
    done = subprocess.run([sys.executable, "-c", ASK_AND_GO_AWAY, preload], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.stdout == "exit status 1\n", done.stderr
    # the reference: without the hook, multiprocessing prints the child's EOFError
    assert ("EOFError" in done.stderr) is traceback and ("Traceback" in done.stderr) is traceback, done.stderr
