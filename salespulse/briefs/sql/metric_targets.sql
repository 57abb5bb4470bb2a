-- Every month target of the entity (sales, new customers, visits, collection rate, ...).
select
    metric,
    target_value,
    original_value,
    is_adjusted
from marts.fct_targets
where level = $scope and entity_id = $entity_id and period = $period_label
order by metric
