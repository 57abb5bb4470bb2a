"""Step order within a run.

Steps that are ready at the same time run highest `dagster/priority` first (op tag; the run's
executor sorts by it). After the dbt build, the checks, the check digest and analytics.duckdb
carry PUBLISH_PRIORITY, the briefs none: analysts get a build as soon as it is checked, not
after every brief of the run has rendered.
"""

PUBLISH_PRIORITY = {"dagster/priority": "10"}
