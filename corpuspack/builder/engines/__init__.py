"""Engines that run the per-document function over a stream of files (local process pool).
"""
