select
    product_line,
    sales_amount
from marts.kpi_product_monthly
where period_start = $period_start
order by sales_amount desc, product_line asc
