"""Pass 2's decisions made and kept in Ray tasks, per run of stage batches (engines/ray_decisions.py,
round 37), against the local engine's code path (``corpus.plan.plan`` in this process, its Plan cut
per batch by ``plan_part``): the same part of the Plan for every stage batch, the same repeated lines
and control-character counts, whatever the cut into runs (batches of uneven sizes, 4 and 6 runs), on
a dump with exact duplicates, near duplicates, id copies (two folders holding the same names) and
repeated lines. A whole build on Ray giving the local engine's bytes: tests/test_engine_ray.py."""
import os

import pyarrow as pa
import pytest

ray = pytest.importorskip("ray")

import corpuspack  # noqa: E402
from corpus_gen import generate_corpus  # noqa: E402
from ray_driver_io import local_ray  # noqa: E402,F401 - a fixture
from corpuspack.builder.corpus import plan as corpus  # noqa: E402
from corpuspack.builder.corpus.published import EditCache  # noqa: E402
from corpuspack.builder.engines import ray_decisions  # noqa: E402
from corpuspack.builder.options import BuildOptions  # noqa: E402

BOILERPLATE = "تابعونا على فيسبوك وتويتر للحصول على آخر الأخبار العاجلة"


@pytest.fixture(scope="module")
def stage(tmp_path_factory) -> str:
    """The kept stage of a local build: 1,500 generated articles (5% exact, 5% near duplicates), a
    boilerplate line in a third of them, and 40 ids carried by two files each (``000_<hex>.txt``
    and ``001_<hex>.txt`` in two folders, other texts)."""
    tmp = tmp_path_factory.mktemp("decisions")
    dump = tmp / "dump"
    for i, (_, text, _) in enumerate(generate_corpus(1500, 23, dup_rate=0.05, near_dup_rate=0.05)):
        folder = dump / f"part{i % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc_{i:05d}.txt").write_text(text + ("\n" + BOILERPLATE if i % 3 == 0 else ""), encoding="utf-8")
    extra = generate_corpus(80, 29, dup_rate=0.0, near_dup_rate=0.0)
    for i in range(40):  # hashed names whose hex part (the id) two files share: id copies
        for k, folder in enumerate(("copy_a", "copy_b")):
            (dump / folder).mkdir(exist_ok=True)
            (dump / folder / f"{k:03d}_{i:016x}.txt").write_text(extra[2 * i + k][1], encoding="utf-8")
    built = corpuspack.build(dump, tmp / "out", jobs=1, progress=False, batch_size=37)
    return incremental_stage(tmp / "out", built.manifest["options_fingerprint"])


def incremental_stage(out, fingerprint: str) -> str:
    from corpuspack.builder.release import incremental
    return incremental.cache_path(str(out), fingerprint)


def _parts(files: tuple) -> list:
    out = []
    for path in files:
        if path is None:
            out.append(corpus.PLAN_PART_SCHEMA.empty_table())
        else:
            with pa.OSFile(path) as f:
                out.append(pa.ipc.open_file(f).read_all())
    return out


@pytest.mark.parametrize("cpus", [2, 3])
def test_decisions_in_tasks_are_the_local_plans(local_ray, stage, tmp_path, cpus):
    options = BuildOptions()
    local = corpus.plan(stage, options)
    sizes, controls = corpus.stage_counts(stage)
    assert len(sizes) > 30 and len(set(sizes)) == 2  # batches of 37 and a last one
    assert len(local.exact_rows) > 50 and len(local.cluster_rows) > 50 and local.repeated
    assert len(local.id_dup) == 40
    folder = tmp_path / "work"
    folder.mkdir()
    started: list = []
    got = ray_decisions.plan(stage, options, EditCache(), started, str(folder), cpus)
    assert got.repeated == local.repeated and got.controls == controls == local.controls
    assert list(got.sizes) == sizes and started == []  # every task ended, its reference dropped
    at = 0
    for index, (n, part) in enumerate(zip(sizes, _parts(got.files))):
        expected = corpus.plan_part(local, at, n)
        assert part.equals(expected), (index, part.to_pylist()[:3], expected.to_pylist()[:3])
        at += n
    assert sum(p.num_rows for p in _parts(got.files)) > 100
    assert os.listdir(folder / "plan")
