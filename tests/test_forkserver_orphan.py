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


ASK_WITH_A_SEMAPHORE_GONE = """
import io, sys
from multiprocessing import context, forkserver as mfs, reduction, spawn
from corpuspack.builder.engines import forkserver
if sys.argv[1] == "without the hook":
    forkserver.PRELOAD = [m for m in forkserver.PRELOAD if not m.endswith(".server")]
ctx = forkserver.context()
mfs.ensure_running()
lock = ctx.Lock()  # a semaphore of the pool (its queues hold some), sent to a new worker by name
class MissingFile:  # unpickled as open("/nonexistent/file"): a FileNotFoundError of another kind
    def __reduce__(self):
        return io.open, ("/nonexistent/file",)
sent = lock if sys.argv[2] == "a semaphore" else MissingFile()
buf = io.BytesIO()
context.set_spawning_popen(object())  # pickled as for a new process
try:
    reduction.dump({k: v for k, v in spawn.get_preparation_data("w").items() if k not in forkserver._MAIN_KEYS}, buf)
    reduction.dump(sent, buf)
finally:
    context.set_spawning_popen(None)
del lock, sent  # the build shut its pool down before the worker read its data: the semaphore is removed
sentinel, w = mfs.connect_to_new_process([])
pid = mfs.read_signed(sentinel)
with open(w, "wb") as f:
    f.write(buf.getbuffer())
print("exit status", mfs.read_signed(sentinel))
"""


@pytest.mark.parametrize("preload, sent, traceback", [("as shipped", "a semaphore", False),
                                                       ("without the hook", "a semaphore", True),
                                                       ("as shipped", "a missing file", True)])
def test_a_worker_whose_pool_was_shut_down_as_it_started_ends_without_a_traceback(preload, sent, traceback):
    """The data arrived, but the build removed the pool's semaphores before the worker opened them
    (seen in test_faults under load: Ctrl-C while the pool started a worker). Any other error of a
    starting worker, even a FileNotFoundError, is still printed."""
    done = subprocess.run([sys.executable, "-c", ASK_WITH_A_SEMAPHORE_GONE, preload, sent], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.stdout == "exit status 1\n", done.stderr
    # the reference: without the hook, multiprocessing prints the child's error
    assert ("FileNotFoundError" in done.stderr) is traceback and ("Traceback" in done.stderr) is traceback, done.stderr
