-- New customers of the period by the rep credited with them, and how many came by referral
-- (转介绍): what top performers do differently.
select
    first_order_rep_id as rep_id,
    count(*) as new_customers,
    count(*) filter (where lead_source = 'referral') as referral_customers
from marts.dim_customers
where first_order_date between $period_start and $period_end
group by first_order_rep_id
order by rep_id
