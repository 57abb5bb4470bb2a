-- Month targets of every rep (sales, new customers, visits, ...), for the target-vs-actual table.
select
    entity_id as rep_id,
    metric,
    target_value
from marts.fct_targets
where level = 'rep' and period = $period_label
order by rep_id, metric
