"""Benchmarks for oe-mcp-local: `python -m benchmarks.run` writes docs/performance.md.

Every figure is a ratio or a distribution measured in one run, with the compared variants
interleaved block by block so that machine noise falls on both sides alike.
"""
