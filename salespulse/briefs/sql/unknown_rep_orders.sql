-- Orders signed in the period by an owner the roster does not know on the signing date: they
-- are in no rep, team, region or company total (SPEC §7) and every brief lists them.
select
    order_id,
    owner_rep_id,
    customer_id,
    amount,
    signed_date
from marts.fct_orders
where
    team_id is null
    and not is_cancelled
    and signed_date between $period_start and $period_end
    and signed_date <= $as_of
order by amount desc, order_id asc
