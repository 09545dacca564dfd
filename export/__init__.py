"""Label Studio exports → adjudicated gold + agreement → a versioned HF dataset."""
