"""Benchmarks for the merchant console's customer list and exports (not tests)."""
