"""process_documents (stage by stage over a batch) gives each document what it gets alone: the
same record, or the same rejection. The reference is computed in another interpreter, each
document in a process of its own forked before any document was processed there, so no state a
batch leaves behind (caches, models loaded, anything a step keeps) can reach it."""
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

from corpus_gen import generate_corpus
from conftest import REPO
from corpuspack.builder.document.decode import Rejected
from corpuspack.builder.document.process import process_documents
from corpuspack.builder.options import DocOptions

SEEDS = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("*.txt"))

ALONE = textwrap.dedent("""
    import multiprocessing, pickle, sys
    from corpuspack.builder.document.process import process_document
    from corpuspack.builder.options import DocOptions

    def alone(doc):
        rel, data, sha = doc
        try:
            return process_document(rel, data, DocOptions(), sha256=sha)
        except Exception as e:
            return (type(e).__name__, str(e), getattr(e, "reason", None))

    if __name__ == "__main__":
        docs = pickle.load(sys.stdin.buffer)
        # one fresh process per document (maxtasksperchild=1), forked from a parent that processed none
        with multiprocessing.get_context("fork").Pool(1, maxtasksperchild=1) as pool:
            out = pool.map(alone, docs, chunksize=1)
        pickle.dump(out, sys.stdout.buffer)
""")


def each_alone_in_fresh_processes(docs):
    run = subprocess.run([sys.executable, "-c", ALONE], input=pickle.dumps(docs), capture_output=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    return pickle.loads(run.stdout)


def test_batch_equals_each_document_alone_with_rejections_mixed_in():
    opts = DocOptions()
    docs = [(name, text.encode("utf-8"), None) for name, text, _ in generate_corpus(40, 21, other_lang_rate=0.2)]
    docs += [(p.name, p.read_bytes(), None) for p in SEEDS]
    docs.insert(3, ("empty.txt", b"", None))
    docs.insert(7, ("binary.bin", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), None))
    docs.insert(11, ("boiler.txt", "Discussion about this post\n".encode(), None))
    docs.insert(12, ("latin1.txt", "caf\xe9 au lait, une phrase en fran\xe7ais assez longue".encode("latin-1"), "ab" * 32))
    batch = process_documents(docs, opts)
    expected = each_alone_in_fresh_processes(docs)
    assert len(batch) == len(docs) == len(expected)
    for (rel, _, _), got, alone in zip(docs, batch, expected):
        if isinstance(got, Exception):
            assert isinstance(got, Rejected), rel
            assert (type(got).__name__, str(got), got.reason) == alone, rel
        else:
            assert got == alone, rel
    reasons = {rel: got.reason for (rel, _, _), got in zip(docs, batch) if isinstance(got, Rejected)}
    assert reasons == {"empty.txt": "empty", "binary.bin": "binary", "boiler.txt": "empty"}
    assert expected[12]["sha256"] == "ab" * 32 and expected[12]["language"] == "fr"  # the given digest is kept
    assert process_documents([], opts) == []
