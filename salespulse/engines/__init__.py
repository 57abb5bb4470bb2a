"""Other warehouse engines than the embedded DuckDB file (issue #15)."""
