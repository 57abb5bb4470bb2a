"""Dagster definitions by domain: each folder holds assets, checks, sensors and schedules."""
