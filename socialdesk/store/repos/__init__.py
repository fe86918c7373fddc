"""Read access to the tables. Every function takes the workspace id first and never crosses it."""
