"""A build with ``--manifest`` on the Ray engine (round 39): its tasks map the manifest the build
saved in its work folder, as the local engine's workers do (tests/test_manifest_held.py)."""
import pytest

ray = pytest.importorskip("ray")

from ray_driver_io import local_ray  # noqa: E402,F401 - a fixture


def test_ray_tasks_map_the_saved_manifest_as_the_local_workers(local_ray, tmp_path):
    """A build with ``--manifest`` on both engines: the finishing tasks (Ray's, the pool's) read the
    file the build saved in its work folder; the same bytes, the same report of unmatched rows."""
    import corpuspack
    from conftest import output_files
    from dump_forms import build_report, write_dump

    write_dump(tmp_path / "dump", n=20)
    names = sorted(p.relative_to(tmp_path / "dump").as_posix() for p in (tmp_path / "dump").rglob("*.txt"))
    rows = [f"{n},https://www.spa.gov.sa/w{i},{'2022-02-18' if i % 2 else ''},{'SPA' if i % 3 else ''},{i}"
            for i, n in enumerate([*names, "unfetched/x.txt"])]
    (tmp_path / "m.csv").write_text("file_name,url,date,source,views\n" + "\n".join(rows) + "\n", encoding="utf-8")
    for engine in ("local", "ray"):
        corpuspack.build(tmp_path / "dump", tmp_path / engine, engine=engine, jobs=2, progress=False,
                         manifest=str(tmp_path / "m.csv"))
    a, b = output_files(tmp_path / "local"), output_files(tmp_path / "ray")
    assert sorted(a) == sorted(b) and [n for n in a if a[n] != b[n]] == []
    assert build_report(tmp_path / "ray")["manifest"] == {"rows_matching_no_file": ["unfetched/x.txt"],
                                                         "files_without_manifest_row": 0}
