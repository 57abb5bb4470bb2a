-- Sales by product line for a team or region (the company reads kpi_product_monthly).
-- Same rule as the marts: orders not cancelled, signed in the period, team as of signing.
select
    product_line,
    sum(amount) as sales_amount
from marts.fct_orders
where
    not is_cancelled
    and signed_date between $period_start and $period_end
    and signed_date <= $measured_through
    and (($scope = 'team' and team_id = $entity_id) or ($scope = 'region' and region = $entity_id))
group by product_line
order by sales_amount desc, product_line asc
