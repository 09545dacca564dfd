"""Articles in any common format → canonical clean text → Label Studio tasks."""
