"""Peak resident memory (sum over the build's process tree) of a build of a dump holding 200 real
articles and one large file of real articles concatenated.

    python benchmarks/bigfile_mem.py 60          # one 60 MiB file
    python benchmarks/bigfile_mem.py 0.001       # the 200 articles alone (the baseline)
"""
import glob, os, subprocess, sys, time, psutil, shutil
size_mb = float(sys.argv[1])
import tempfile
d = os.path.join(tempfile.gettempdir(), f"corpuspack-bigfile-{size_mb:g}")
shutil.rmtree(d, ignore_errors=True); shutil.rmtree(d + "-out", ignore_errors=True)
os.makedirs(d)
texts = [open(p, encoding="utf-8").read() for p in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "realdata", "ant_multisource", "*.txt")))]
blob, i = [], 0
target = int(size_mb * 2**20)
n = 0
with open(f"{d}/big.txt", "w", encoding="utf-8") as fh:
    while n < target:
        t = texts[i % len(texts)] + f"\n{i}\n"; fh.write(t); n += len(t.encode()); i += 1
for k, t in enumerate(texts[:200]):
    open(f"{d}/{k:04d}_small.txt", "w", encoding="utf-8").write(t)
p = subprocess.Popen([sys.executable, "-m", "corpuspack.cli", "build", d, d + "-out", "--jobs", "2", "--quiet"] + sys.argv[2:],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
peak, at_peak, own_peak = 0, {}, {}  # the sum's peak, each process's RSS then, each one's own peak
while p.poll() is None:
    try:
        procs = [psutil.Process(p.pid)] + psutil.Process(p.pid).children(recursive=True)
        rss = {x.pid: x.memory_info().rss for x in procs if x.is_running()}
        for pid, r in rss.items():
            own_peak[pid] = max(own_peak.get(pid, 0), r)
        if sum(rss.values()) > peak:
            peak, at_peak = sum(rss.values()), rss
    except psutil.Error:
        pass
    time.sleep(0.05)
out, err = p.communicate()
print(f"file {os.path.getsize(d + '/big.txt') / 2**20:.0f} MiB: rc {p.returncode}, peak RSS of all processes {peak / 2**20:.0f} MiB "
      f"({peak / os.path.getsize(d + '/big.txt'):.1f}x the file); {out.strip()[:200]} {err.strip()[-300:]}")
others = sorted((r for pid, r in own_peak.items() if pid != p.pid), reverse=True)
print(f"at the peak: build process {at_peak.get(p.pid, 0) / 2**20:.0f} MiB, the others "
      f"{sum(r for pid, r in at_peak.items() if pid != p.pid) / 2**20:.0f} MiB; each one's own peak: build process "
      f"{own_peak.get(p.pid, 0) / 2**20:.0f} MiB, the others {', '.join(f'{r / 2**20:.0f}' for r in others[:4])} MiB")
