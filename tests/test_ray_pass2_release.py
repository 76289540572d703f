"""Pass 2 on Ray drops the references of a step's tasks once the step has ended (round 31): a
reference the driver holds pins its object in Ray's object store, and until round 31 the engine kept
the first reference of every task pass 2 started (to wait for them if the build fails) until pass 2
ended, so one partition of every step's output (id tables, exact keys, band hashes, candidate pairs)
stayed in the store meanwhile.

Measured from outside the engine: when the near-duplicate clusters' connected components start
(``ray_pass2.components`` called, every earlier step of pass 2 over), the object references this
process holds (Ray's own reference table, ``core_worker.get_all_reference_counts``) beyond those it
held when pass 2's decisions started (``ray_decisions.plan`` called: the warm-up tasks', the stage
copy's) are only the edges handed to ``components_refs``, what the driver ``ray.put`` during pass 2
and, since round 37, the decisions' row sets the later steps read (one object each per run). The
counter-case: the engine's step ending turned off (``ray_pass2._step`` and ``ray_decisions._release``
keeping the references), the same check sees the earlier steps' outputs."""
from contextlib import contextmanager

import pytest

ray = pytest.importorskip("ray")

import corpuspack  # noqa: E402
from ray_driver_io import local_ray  # noqa: E402,F401 - a fixture
from conftest import output_files  # noqa: E402
from test_ray_keys import dump  # noqa: E402,F401 - a fixture: 2,000 generated documents
from corpuspack.builder.engines import ray_decisions, ray_pass2  # noqa: E402


def _held() -> set[str]:
    """The object references this process holds (hex ids), from Ray's reference table."""
    counts = ray._private.worker.global_worker.core_worker.get_all_reference_counts()
    return {(k.decode() if isinstance(k, bytes) else str(k)) for k, v in counts.items()
            if v.get("local", 0) > 0 or v.get("submitted", 0) > 0}


def _extra_held_at_components(dump, out, monkeypatch) -> tuple[set, int]:
    """Builds ``dump`` on Ray; when ``components`` is called: the references held beyond its edges and
    what the driver put (and how many edges references it was handed)."""
    real_components, real_put, real_plan = ray_decisions.components_refs, ray.put, ray_decisions.plan
    put: set[str] = set()
    before: set[str] = set()
    seen: list = []

    def plan(*a, **k):
        before.update(_held())
        return real_plan(*a, **k)

    def components(edges, parts, started=None):  # (components_refs: its result left in the store)
        handed = {ref.hex() for part in edges for ref in part}
        seen.append((_held() - before - handed - put, len(handed)))
        return real_components(edges, parts, started)

    def counted_put(value, *a, **k):
        ref = real_put(value, *a, **k)
        put.add(ref.hex())
        return ref

    monkeypatch.setattr(ray_decisions, "components_refs", components)
    monkeypatch.setattr(ray_pass2.ray, "put", counted_put)
    monkeypatch.setattr(ray_decisions, "plan", plan)
    corpuspack.build(dump, out, engine="ray", progress=False, batch_size=100, rows_per_shard=200)
    monkeypatch.setattr(ray_decisions, "components_refs", real_components)
    monkeypatch.setattr(ray_pass2.ray, "put", real_put)
    monkeypatch.setattr(ray_decisions, "plan", real_plan)
    assert len(seen) == 1
    return seen[0]


@contextmanager
def _kept(started):
    yield  # the references stay in ``started`` until pass 2 ends (the code before round 31)


def test_pass2_steps_release_their_outputs(local_ray, dump, tmp_path, monkeypatch):
    extra, handed = _extra_held_at_components(dump, tmp_path / "ray", monkeypatch)
    print(f"held beyond the {handed} edges and the puts when the components start: {len(extra)}")
    # since round 37 the decisions' row sets stay in the store, one object per run of stage batches
    # (ray_decisions.py): held by design are the five the later steps read (the id copies and their
    # first rows, the exact duplicates and their first rows, the dropped rows), 4 runs here (2 CPUs)
    assert handed >= 4 and len(extra) <= 5 * 4, extra
    local = corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False, batch_size=100, rows_per_shard=200)
    assert output_files(tmp_path / "ray") == output_files(tmp_path / "local")
    # the check can fail: with the references kept until pass 2 ends, the earlier steps' outputs are held
    monkeypatch.setattr(ray_pass2, "_step", _kept)
    monkeypatch.setattr(ray_decisions, "_release", lambda started, mark: None)
    extra, _ = _extra_held_at_components(dump, tmp_path / "kept", monkeypatch)
    print(f"with the references kept: {len(extra)}")
    # a map and a reduce task per partition of each earlier step (ids, staged keys, repeated lines, published
    # keys: 2 x 4 x 4) and the band, pair and verifying tasks (3 x 4; the verifying tasks' first edges are handed)
    assert len(extra) >= 32, len(extra)
