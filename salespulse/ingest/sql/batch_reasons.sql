-- Each reject reason of the batch just typed, with its count, per file.
select
    reasons._file_id,
    reasons.r,
    count(*)::bigint as rows_rejected
from (
    select
        _file_id,
        unnest(_reasons) as r
    from _typed
) as reasons
group by all
