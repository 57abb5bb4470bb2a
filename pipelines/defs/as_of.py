"""The business date a run computes "as of", the same for dbt, the checks and the briefs.

SALESPULSE_AS_OF wins (the demo and the benchmark pin it). Otherwise a run carries it as the
tag `salespulse/as_of` — the schedules set it to the day they fire, so re-executing a run
recomputes the same figures. A run of a partition without that tag (a backfill) is as of the
end of its period: the day itself, the Monday after a week, the 1st after a month. Anything
else is as of today in the business timezone.
"""

from datetime import date, timedelta

import dagster as dg

from salespulse.config import Settings

AS_OF_TAG = "salespulse/as_of"


def period_end_as_of(partitions_def: dg.PartitionsDefinition | None, partition_key: str) -> date:
    start = date.fromisoformat(partition_key[:10])
    if isinstance(partitions_def, dg.WeeklyPartitionsDefinition):
        return start + timedelta(days=7)
    if isinstance(partitions_def, dg.MonthlyPartitionsDefinition):
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start


def run_as_of(context: dg.OpExecutionContext | dg.AssetExecutionContext, settings: Settings) -> date:
    if settings.as_of_override:
        return settings.as_of_override
    tags = context.run.tags
    if tags.get(AS_OF_TAG):
        return date.fromisoformat(tags[AS_OF_TAG])
    partition_key = tags.get("dagster/partition")
    if partition_key:
        return period_end_as_of(context.job_def.partitions_def, partition_key)
    return settings.as_of
