"""Releases: Parquet shards, versions, incremental reuse, card, manifests, verify, publish.
"""
