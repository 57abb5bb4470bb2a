"""Dagster definitions by domain: each folder holds assets, checks, sensors and schedules.

The domains are layers, in data order: ingest → warehouse → quality → briefs → operations. A
domain imports only from domains before it, never sideways or back (tests/project/test_import_layers.py).
What any domain may import: jobs.py (every job and asset selection, by key and group), as_of.py,
resources.py and steps.py. A sensor or schedule that starts a job takes it from jobs.py.
"""
