"""Web pages: the main text and the title of an HTML page, extracted with trafilatura (the
extractor datatrove uses), installed by the optional extra ``corpuspack[html]``.

A document is a page when its name ends in ``.html``/``.htm``/``.xhtml`` or its text starts as
markup does (a doctype, ``<html>``, ``<head>`` or ``<body>``). Without trafilatura a page is
rejected (reason ``html``) with the command that installs it: a page is never published with its
tags. When trafilatura is installed but cannot be imported (a package it needs is missing, e.g.
``lxml-html-clean``), the rejection says the import's own error.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..decode import Rejected

SUFFIXES = (".html", ".htm", ".xhtml")
EXTRA = "pip install 'corpuspack[html]'"
_MARKUP_START = re.compile(r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
                           re.IGNORECASE | re.DOTALL)


def is_page(rel_path: str, text: str) -> bool:
    """The document is an HTML page: by its name, or by how its text starts (first 4 kB)."""
    return rel_path.lower().endswith(SUFFIXES) or bool(_MARKUP_START.match(text[:4096]))


@lru_cache(maxsize=1)
def _trafilatura():
    """The trafilatura module, or the ImportError its import raised."""
    try:
        import trafilatura
    except ImportError as e:
        return e
    return trafilatura


def _unavailable(error: ImportError) -> str:
    """Why pages cannot be read: the extractor is absent, or it is there and its import failed
    (a dependency missing or broken), in the import's own words."""
    if error.name == "trafilatura":
        return f"an HTML page, and the HTML extractor is not installed: {EXTRA}"
    said = " ".join(str(error).split())
    return (f"an HTML page, and the HTML extractor (trafilatura) is installed but cannot be imported: "
            f"{type(error).__name__}: {said} ({EXTRA} installs what it needs)")


def extract(text: str) -> tuple[str, str | None]:
    """(main text, title or None) of a page; :class:`Rejected` when it cannot be had."""
    trafilatura = _trafilatura()
    if isinstance(trafilatura, ImportError):
        raise Rejected("html", _unavailable(trafilatura))
    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, include_tables=True,
                                      include_images=False, include_links=False, deduplicate=False)
    body = (doc.text or "") if doc is not None else ""
    if not body.strip():
        raise Rejected("empty", "an HTML page in which the extractor found no main text")
    title = (doc.title or "").strip() or None
    return body, title
