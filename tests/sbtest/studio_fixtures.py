"""Fixtures that start a real Label Studio once per test session on 127.0.0.1."""
