"""A pool stopped on an error (engines/local.py ``Workers._stop_pool``: its workers killed, its result
pipe's write end closed) may end its manager thread with an exception; that thread's traceback is not
printed (the build's error says what happened), while any other thread's exception still is. Checked
in a child process, by what reaches its standard error."""
from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import threading
    from corpuspack.builder.engines import local

    engine = local.Workers(2)
    engine.__enter__()
    list(engine.map(abs, [-1, -2]))  # a real pool, its manager thread running
    manager = engine._pool._executor_manager_thread
    engine.__exit__(RuntimeError, RuntimeError("stopped"), None)  # stopped on an error
    hook = threading.excepthook

    class Args:
        exc_type, exc_value, exc_traceback = OSError, OSError("handle is closed"), None
    args = Args()
    args.thread = manager
    hook(args)  # the stopped pool's manager: nothing printed
    other = threading.Thread(target=lambda: (_ for _ in ()).throw(ValueError("another thread's error")),
                             name="another")
    other.start()
    other.join()
    print("done", manager.name)
""")


def test_a_stopped_pools_manager_thread_is_quiet_and_other_threads_are_not():
    run = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "done" in run.stdout
    assert "handle is closed" not in run.stderr
    assert "another thread's error" in run.stderr and "Exception in thread another" in run.stderr
