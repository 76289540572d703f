"""A Ctrl-C that falls while a process pool is made is delivered after it, not inside it
(engines/deferred.py): checked in a child process that sends itself SIGINT at the worst moment."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import default_sigint

REPO = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent("""
    import os, signal, sys
    from multiprocessing import resource_tracker
    from corpuspack.builder.engines import local

    made = []
    real_register = resource_tracker.register

    def register(name, rtype):  # the moment of the leak: registered, finalizer not made yet
        real_register(name, rtype)
        made.append(name)
        if len(made) == 1:
            os.kill(os.getpid(), signal.SIGINT)

    resource_tracker.register = register
    engine = local.Workers(2)
    try:
        engine.__enter__()
    except KeyboardInterrupt:
        print("interrupted after the pool was made:", engine._pool is not None, len(made))
        engine.__exit__(KeyboardInterrupt, KeyboardInterrupt(), None)
        sys.exit(0)
    print("not interrupted")
    sys.exit(1)
""")


def test_a_ctrl_c_while_the_pool_is_made_leaks_no_semaphore():
    # preexec_fn: Ctrl-C handled as in a terminal, even where the test runner's process ignores it
    r = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=default_sigint)
    assert r.returncode == 0, r.stdout + r.stderr
    # the interrupt came after the pool and all its semaphores were made (a pool's queues make 5)
    assert r.stdout.startswith("interrupted after the pool was made: True"), r.stdout
    assert int(r.stdout.split()[-1]) >= 3, r.stdout
    assert "leaked semaphore" not in r.stderr, r.stderr
