"""Drive a real Label Studio: server lifecycle, project sync, exports."""
