"""Publishing: the output folder as a git repository (one commit and one tag
``v<version>`` per version, the Hub's own convention), and ``push`` to the
Hugging Face Hub with ``huggingface_hub`` (one commit and tag per version).
"""
from __future__ import annotations

import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from . import versions

IGNORED = (".cache/", ".corpuspack-tmp-*/", "*.tmp")
GIT_ENV = {"GIT_AUTHOR_NAME": "corpuspack", "GIT_AUTHOR_EMAIL": "corpuspack@localhost",
           "GIT_COMMITTER_NAME": "corpuspack", "GIT_COMMITTER_EMAIL": "corpuspack@localhost"}


def _git(out: str, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", "-C", out, *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise OSError(f"git {' '.join(args)} failed in {out}: {done.stderr.strip()}")
    return done.stdout


def is_repo(out: str) -> bool:
    return os.path.isdir(os.path.join(out, ".git"))


def commit_version(out: str, version: str) -> str:
    """Commit the output folder as it is now and tag it ``v<version>``; returns the commit id."""
    if not is_repo(out):
        _git(out, "init", "-q")
    ignore = os.path.join(out, ".gitignore")
    versions.write_text_atomic(ignore, "\n".join(IGNORED) + "\n")
    _git(out, "add", "-A")
    m = versions.read_manifest(out, version)
    _git(out, "commit", "-q", "--allow-empty", "-m",
         f"corpuspack: version {version} ({m['counts']['included']} documents)")
    _git(out, "tag", "-f", versions.config_name(version))
    return _git(out, "rev-parse", "HEAD").strip()


@contextmanager
def _version_trees(out: str) -> Iterator[list[tuple[list[str], str]]]:
    """(versions, folder) to upload, oldest first: each tagged commit's tree when the
    output is a git repository, else the folder as it is (holding every version)."""
    names = versions.list_versions(out)
    if not is_repo(out):
        yield [(names, out)]
        return
    tags = set(_git(out, "tag", "--list").split())
    with tempfile.TemporaryDirectory(prefix="corpuspack-push-") as tmp:
        trees = []
        for v in names:
            tag = versions.config_name(v)
            if tag not in tags:
                continue
            folder = os.path.join(tmp, tag)
            os.makedirs(folder)
            archive = os.path.join(tmp, f"{tag}.tar")
            _git(out, "archive", "--format=tar", "-o", archive, tag)
            with tarfile.open(archive) as tar:
                tar.extractall(folder, filter="data")
            trees.append(([v], folder))
        yield trees


def push(out: str, repo_id: str, *, private: bool = False, token: str | None = None, api=None) -> list[str]:
    """Upload every version to the dataset repository ``repo_id`` and tag each; returns the tags made."""
    from .lock import need_output, output_lock

    need_output(out, "nothing to push")
    with output_lock(out):  # no build changes the folder while it is uploaded
        try:
            return _push(out, repo_id, private=private, token=token, api=api)
        except Exception as e:
            if _from_network(e):  # one line saying what failed and what to do, not the client's traceback
                raise ConnectionError(_network_message(repo_id, e)) from None
            raise


def _from_network(e: BaseException) -> bool:
    """An error of the Hub client or of the HTTP stack under it (no network, DNS, TLS, refused,
    HTTP status, offline mode)."""
    return any(c.__module__.split(".")[0].startswith(_NETWORK_MODULES) for c in type(e).__mro__)


#: packages whose exceptions are network failures (httpx and httpcore are also shipped renamed,
#: e.g. httpx2, under some huggingface_hub versions)
_NETWORK_MODULES = ("huggingface_hub", "httpx", "httpcore", "requests", "urllib3", "ssl", "socket")


def _network_message(repo_id: str, e: BaseException) -> str:
    first = (str(e).strip().splitlines() or [""])[0][:200]
    return (f"could not reach the Hugging Face Hub to push {repo_id} ({type(e).__name__}: {first}); "
            "check the network connection, HF_ENDPOINT and the token (--token or HF_TOKEN), then run push again")


def _push(out: str, repo_id: str, *, private: bool, token: str | None, api) -> list[str]:
    if not versions.list_versions(out):
        raise ValueError(f"{out} holds no version to push")
    if api is None:
        from huggingface_hub import HfApi
        api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    existing = {t.name for t in api.list_repo_refs(repo_id, repo_type="dataset").tags}
    made = []
    with _version_trees(out) as trees:
        for names, folder in trees:
            info = api.upload_folder(repo_id=repo_id, folder_path=folder, repo_type="dataset",
                                     commit_message=f"corpuspack: version {names[-1]}",
                                     ignore_patterns=[".git/*", ".gitignore", *IGNORED])
            for v in names:
                tag = versions.config_name(v)
                if tag not in existing:
                    api.create_tag(repo_id, tag=tag, revision=info.oid, repo_type="dataset")
                    made.append(tag)
    return made
