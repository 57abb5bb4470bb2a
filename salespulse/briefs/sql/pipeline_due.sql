-- Open opportunities on $on_day expected to close by $period_end, per owner: the amount and the
-- stage-weighted amount (10 / 30 / 60 / 80 %) a pipeline-weighted projection adds to sales.
select
    owner_rep_id as rep_id,
    sum(amount) as open_due,
    sum(amount * stage_weight) as weighted_due
from marts.fct_opportunity_history
where
    is_open
    and valid_from <= $on_day
    and (valid_to is null or valid_to > $on_day)
    and expected_close_date <= $period_end
group by owner_rep_id
order by rep_id
