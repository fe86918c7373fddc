"""Understanding a post: pure functions from text to labels. No database, no network."""
