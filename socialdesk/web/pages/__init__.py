"""Server-rendered pages for agents."""
