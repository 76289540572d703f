"""A build stopping on an error while a worker is writing its result: the build's process still ends.

On an error (a full disk, Ctrl-C) the local engine kills its workers. A worker killed while it writes
a result leaves part of a message in the pool's result pipe; the pool's thread, reading it, waited
for the rest forever, since the build's process held the pipe's write end too: the build printed
nothing and never ended (test_disk_full, 2 of 30 runs under load: the pool's thread in
``Connection._recv``). Reproduced here without timing: a task writes the start of a message to the
result pipe and sleeps, then the engine's user fails."""
import os
import subprocess
import sys
import textwrap

from conftest import REPO

HALF_WRITER = '''
import gc, os, struct, time
from multiprocessing.queues import SimpleQueue

def half_result(marker):
    """Write the first bytes of a 1,000-byte result message to the pool's result pipe, then wait."""
    queue = next(o for o in gc.get_objects() if isinstance(o, SimpleQueue))
    os.write(queue._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
    open(marker, "w").close()
    time.sleep(600)
'''

BUILD = '''
import os, sys, time
from corpuspack.builder.engines import local
import halfwriter
marker = sys.argv[1]
try:
    with local.Workers(2) as workers:
        assert [r for _, r in workers.map(abs, [-1, -2, -3, -4])] == [1, 2, 3, 4]
        workers._pool.submit(halfwriter.half_result, marker)
        while not os.path.exists(marker):
            time.sleep(0.05)  # the message is half written: the pool's thread waits for the rest
        time.sleep(0.5)
        raise RuntimeError("the disk is full")
except RuntimeError:
    print("stopped", flush=True)
'''


def test_a_worker_killed_mid_result_does_not_keep_the_build_alive(tmp_path):
    """Hangs to the timeout without ``_close_result_writer`` (3 of 3 runs)."""
    (tmp_path / "halfwriter.py").write_text(textwrap.dedent(HALF_WRITER))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(tmp_path)])}
    build = subprocess.Popen([sys.executable, "-c", BUILD, str(tmp_path / "marker")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        out, err = build.communicate(timeout=60)
        ended = True
    except subprocess.TimeoutExpired:
        build.kill()  # its workers follow it (forkserver.end_with)
        out, err = build.communicate(timeout=60)
        ended = False
    assert ended, f"the process did not end within 60 s of the error: {err}"
    assert os.path.exists(tmp_path / "marker"), "the task never wrote its half message"
    assert out == "stopped\n" and build.returncode == 0 and "Traceback" not in err, err
