"""Ingest: landing folder → archived, validated, exactly-once raw tables in DuckDB."""
