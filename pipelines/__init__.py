"""Dagster code location for salespulse."""
