"""Peak resident memory of one worker's work on one large file: ``process_document`` of the file
``benchmarks/bigfile_mem.py SIZE`` writes (real articles concatenated), in this process alone.

    python benchmarks/bigfile_mem.py 60                  # writes the file (and times a build)
    python benchmarks/bigfile_worker_mem.py /tmp/corpuspack-bigfile-60/big.txt

Prints the process's resident memory before the call (the file read as bytes, the code imported,
the tables built) and its peak during the call (``ru_maxrss``), each also per byte of the file.
"""
import os, resource, sys, psutil

from corpuspack.builder.document.metadata.outlets import gazetteer
from corpuspack.builder.document.process import process_document
from corpuspack.builder.options import DocOptions

path = sys.argv[1]
data = open(path, "rb").read()
gazetteer()
process_document("warm.txt", "قال الوزير إن المفاوضات مستمرة 🙂\n".encode() * 50, DocOptions())  # every table built
before = psutil.Process().memory_info().rss
record = process_document("big.txt", data, DocOptions())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(f"file {len(data) / 2**20:.0f} MiB: RSS before {before / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB, "
      f"peak above before {(peak - before) / 2**20:.0f} MiB ({(peak - before) / len(data):.1f}x the file); "
      f"{record['num_chars']} characters kept, cited {record['cited_outlets'][:5]}")
