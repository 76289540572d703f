"""Publishing: one git commit and tag per version, and `push` up to the network call.

The Hub is not reachable from here: `push` is given a stand-in for
`huggingface_hub.HfApi` that records each call and keeps a copy of each upload,
which is then loaded with the real `load_dataset`.
"""
import shutil
import subprocess
from types import SimpleNamespace

from datasets import load_dataset

import corpuspack
from corpuspack.builder.release.publish import push
from conftest import SEEDS


class RecordingHub:
    def __init__(self, keep):
        self.keep, self.calls, self.uploads = keep, [], []

    def create_repo(self, repo_id, **kw):
        self.calls.append(("create_repo", repo_id, kw))

    def list_repo_refs(self, repo_id, **kw):
        return SimpleNamespace(tags=[])

    def upload_folder(self, *, repo_id, folder_path, **kw):
        snapshot = self.keep / f"upload{len(self.uploads)}"
        shutil.copytree(folder_path, snapshot, ignore=shutil.ignore_patterns(".git", ".cache"))
        self.uploads.append(snapshot)
        self.calls.append(("upload_folder", repo_id, kw["commit_message"]))
        return SimpleNamespace(oid=f"commit{len(self.uploads)}")

    def create_tag(self, repo_id, *, tag, revision, **kw):
        self.calls.append(("create_tag", tag, revision))


def test_git_history_and_push_one_commit_and_tag_per_version(tmp_path, hf_cache):
    dump = tmp_path / "dump"
    shutil.copytree(SEEDS, dump)
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.0.0", jobs=1, progress=False, git=True)
    (dump / "005_ffffffffffffffff.txt").write_text("خبر جديد عن الاقتصاد والأسواق في المنطقة العربية اليوم.\n" * 3, encoding="utf-8")
    corpuspack.build(dump, out, version="1.1.0", jobs=1, progress=False)  # OUT is a repository now

    tags = subprocess.run(["git", "-C", str(out), "tag"], capture_output=True, text=True, check=True).stdout.split()
    assert tags == ["v1.0.0", "v1.1.0"]
    old_card = subprocess.run(["git", "-C", str(out), "show", "v1.0.0:README.md"], capture_output=True, text=True, check=True).stdout
    assert "config_name: v1.0.0" in old_card and "v1.1.0" not in old_card
    status = subprocess.run(["git", "-C", str(out), "status", "--porcelain"], capture_output=True, text=True, check=True).stdout
    assert status == ""  # caches and temporary files are ignored

    hub = RecordingHub(tmp_path)
    assert push(str(out), "someone/news", api=hub) == ["v1.0.0", "v1.1.0"]
    assert [c[0] for c in hub.calls] == ["create_repo", "upload_folder", "create_tag", "upload_folder", "create_tag"]
    assert hub.calls[2] == ("create_tag", "v1.0.0", "commit1") and hub.calls[4] == ("create_tag", "v1.1.0", "commit2")
    first = load_dataset(str(hub.uploads[0]), split="train", cache_dir=hf_cache)
    second = load_dataset(str(hub.uploads[1]), split="train", cache_dir=hf_cache)
    assert (first.num_rows, second.num_rows) == (5, 6)
    assert load_dataset(str(hub.uploads[1]), "v1.0.0", split="train", cache_dir=hf_cache).num_rows == 5


def test_push_of_a_plain_folder_uploads_once_and_tags_every_version(tmp_path):
    out = tmp_path / "out"
    corpuspack.build(SEEDS, out, version="1.0.0", jobs=1, progress=False)
    hub = RecordingHub(tmp_path)
    assert push(str(out), "someone/news", api=hub) == ["v1.0.0"]
    assert len(hub.uploads) == 1 and (hub.uploads[0] / "README.md").is_file()
