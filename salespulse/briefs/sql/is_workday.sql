select
    is_workday,
    day_kind
from marts.dim_dates
where date_day = $day
