"""Span-aware validation of tasks, exports, releases and the data/ tree."""
