"""Ingest: landing folder → raw tables."""
