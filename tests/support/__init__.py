"""Test doubles shared by the tests and the benchmarks (``tests.support.memory_backend``)."""
