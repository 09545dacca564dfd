"""Test support shared across stages: servers started once per test session, fixtures.

Importable as ``sbtest`` because pytest puts ``tests/`` on ``sys.path`` (``pythonpath``).
Fixture modules are registered as plugins by ``tests/conftest.py``.
"""
