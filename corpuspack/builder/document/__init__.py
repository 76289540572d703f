"""Pass 1, per document: read/decode, clean, metadata, language, fingerprints, quality.

A pure function of a file's bytes and the options (:mod:`.process`); engines run it in parallel.
"""
