"""Listing a flat folder on S3: one call in the build's process (pyarrow's ``FileSelector``, sorted:
the path other filesystems keep) against key ranges listed by Ray tasks
(``document/inputs/s3_ranges.py``: split points by probing, then a task per range), on a moto S3
server started here (localhost: no network latency, one Python process answering every request).

    python benchmarks/s3_listing_bench.py --files 20000 --repeat 5

Prints, per method, the median wall time of ``--repeat`` listings (each checked to give the same
entries in the same order), the list requests made (the ranges': counted on the same listing run
in this process; pyarrow's one call: pages of 1,000 keys, as S3 returns them) and the most entries
one process held at once. Ray is started and its workers warmed before timing.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_EC2_METADATA_DISABLED": "true"})

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from corpuspack.builder.document.inputs import s3_ranges  # noqa: E402
from corpuspack.builder.document.storage import RemoteStorage  # noqa: E402


def upload(client, n: int) -> None:
    rng = random.Random(17)
    keys = [f"dump/{rng.randrange(1000):03d}_{rng.getrandbits(64):016x}.txt" for _ in range(n)]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: client.put_object(Bucket="corpora", Key=k, Body=b"x"), keys))


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cpus", type=int, default=2)
    args = ap.parse_args()

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1")
    client.create_bucket(Bucket="corpora")
    t = time.perf_counter()
    upload(client, args.files)
    print(f"uploaded {args.files:,} objects in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    uri = f"s3://testing:testing@corpora/dump?endpoint_override={host}:{port}&scheme=http&region=us-east-1"
    storage = RemoteStorage(uri)
    loc = s3_ranges.location(storage.root, storage.path)
    requests = []
    s3_ranges.client(loc).meta.events.register("before-call.s3.ListObjectsV2", lambda **kw: requests.append(1))

    one_call = timed(lambda: list(storage._top_here()), args.repeat)

    import ray
    from corpuspack.builder.engines.ray import RayEngine

    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        with tempfile.TemporaryDirectory() as tmp, RayEngine(args.cpus, None, tmp) as engine:
            ray.get(engine._warming)
            want = s3_ranges.RANGES_PER_CPU * engine.cpus()
            sizes = []

            def on_ray():
                sizes.clear()
                out = []
                for _, found in engine.map(s3_ranges.list_range,
                                           s3_ranges.bounds(s3_ranges.split_points(loc, want, engine.map)), loc):
                    sizes.append(len(found))
                    out.extend(found)
                return out

            probes = timed(lambda: s3_ranges.split_points(loc, want, engine.map), args.repeat)
            ranged = timed(on_ray, args.repeat)
            here = timed(lambda: list(s3_ranges.top_entries(loc, want)), args.repeat)
            requests.clear()
            s3_ranges.split_points(loc, want)  # the same probes, here, to count them
            probe_requests = len(requests)
            requests.clear()
            list(s3_ranges.top_entries(loc, want))
            all_requests = len(requests)
    finally:
        ray.shutdown()
        server.stop()
    assert ranged[2] == one_call[2] == here[2], "not the same listing"
    n = len(one_call[2])
    print(f"{n:,} objects in one flat folder, moto on localhost, {args.cpus} CPUs, median (min) of {args.repeat}")
    print(f"{'method':<44} {'wall s':>14} {'requests':>9} {'most held':>10}")
    print(f"{'one call here (pyarrow FileSelector, sorted)':<44} {one_call[0]:>7.3f} ({one_call[1]:.3f})"
          f" {-(-n // 1000):>9} {n:>10,}")
    print(f"{'split points only (probes, Ray tasks)':<44} {probes[0]:>7.3f} ({probes[1]:.3f})"
          f" {probe_requests:>9} {'-':>10}")
    print(f"{'ranges on Ray (probes + ' + str(len(sizes)) + ' range tasks)':<44} {ranged[0]:>7.3f} ({ranged[1]:.3f})"
          f" {all_requests:>9} {max(sizes):>10,}")
    print(f"{'ranges here, one after another (no map_)':<44} {here[0]:>7.3f} ({here[1]:.3f}) {'':>9} {max(sizes):>10,}")
    print(f"range sizes: {sizes}")


if __name__ == "__main__":
    main()
