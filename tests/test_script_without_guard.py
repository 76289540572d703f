"""The Python API from a plain script: a top-level ``corpuspack.build`` call, without the
``if __name__ == "__main__":`` guard, builds once with a process pool (workers do not re-run the
script), as the by-hand ``datasets`` recipes do on Linux."""
import json
import os
import subprocess
import sys
import textwrap

from conftest import REPO, SEEDS


def test_a_script_without_the_main_guard_builds_once_with_workers(tmp_path):
    out, log = tmp_path / "out", tmp_path / "runs.log"
    script = tmp_path / "make_dataset.py"
    script.write_text(textwrap.dedent(f"""
        import os
        import corpuspack
        with open({str(log)!r}, "a") as f:  # one line per run of this script, in any process
            f.write(str(os.getpid()) + "\\n")
        result = corpuspack.build({str(SEEDS)!r}, {str(out)!r}, jobs=2, batch_size=1, progress=False)
        print(result.counts["included"])
    """))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["5"]
    assert len(log.read_text().split()) == 1  # the workers never ran the script
    assert "Traceback" not in proc.stderr
    report = json.loads(next(out.glob("**/build_report.json")).read_text())
    assert report["counts"]["included"] == 5
