-- Rows loaded and rejected per file of the batch just typed.
select
    _file_id,
    count_if(len(_reasons) = 0)::bigint as rows_loaded,
    count_if(len(_reasons) > 0)::bigint as rows_rejected
from _typed
group by _file_id
