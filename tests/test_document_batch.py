"""process_documents (stage by stage over a batch) gives each document what process_document
gives it alone: the same record, or the same rejection."""
from pathlib import Path

from corpus_gen import generate_corpus
from corpuspack.builder.document.decode import Rejected
from corpuspack.builder.document.process import process_document, process_documents
from corpuspack.builder.options import DocOptions

SEEDS = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("*.txt"))


def _alone(rel, data, sha, opts):
    try:
        return process_document(rel, data, opts, sha256=sha)
    except Exception as e:  # noqa: BLE001
        return e


def test_batch_equals_one_by_one_with_rejections_mixed_in():
    opts = DocOptions()
    docs = [(name, text.encode("utf-8"), None) for name, text, _ in generate_corpus(40, 21, other_lang_rate=0.2)]
    docs += [(p.name, p.read_bytes(), None) for p in SEEDS]
    docs.insert(3, ("empty.txt", b"", None))
    docs.insert(7, ("binary.bin", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), None))
    docs.insert(11, ("boiler.txt", "Discussion about this post\n".encode(), None))
    docs.insert(12, ("latin1.txt", "caf\xe9 au lait, une phrase en fran\xe7ais assez longue".encode("latin-1"), "ab" * 32))
    batch = process_documents(docs, opts)
    assert len(batch) == len(docs)
    for (rel, data, sha), got in zip(docs, batch):
        expected = _alone(rel, data, sha, opts)
        if isinstance(got, Exception):
            assert isinstance(got, Rejected)
            assert (type(got), str(got)) == (type(expected), str(expected))
        else:
            assert got == expected
    reasons = {rel: got.reason for (rel, _, _), got in zip(docs, batch) if isinstance(got, Rejected)}
    assert reasons == {"empty.txt": "empty", "binary.bin": "binary", "boiler.txt": "empty"}
    assert process_documents([], opts) == []
