"""Fixtures for the Hub-protocol test server (a test double of huggingface.co on 127.0.0.1)."""
