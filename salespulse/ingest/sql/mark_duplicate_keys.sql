-- A good row repeating the key of an earlier good row of its file is rejected, naming that row.
-- Run on the typed rows of a batch (coerce_rows.sql) when the contract does not allow repeated
-- keys. Only rows whose key hash repeats within their file are ranked, instead of partitioning
-- every row by its key. Slots: typed, the table of typed rows; keys, the contract's key
-- columns (same_keys, the same qualified by `same_key.`); key_label, `key=value, ...` of a row.
update {typed}
set
    _reasons = [
        'duplicate key (' || {key_label} || ') of row ' || repeated.first_good_key || ' in the same file'
    ]
from (
    select
        ranked._file_id,
        ranked._row_number,
        ranked.first_good_key
    from (
        select
            good_row._file_id,
            good_row._row_number,
            min(good_row._row_number) over (partition by good_row._file_id, {keys}) as first_good_key
        from {typed} as good_row
        where
            len(good_row._reasons) = 0
            and (good_row._file_id, hash({keys})) in (
                select
                    same_key._file_id,
                    hash({same_keys}) as key_hash
                from {typed} as same_key
                where len(same_key._reasons) = 0
                group by all
                having count(*) > 1
            )
    ) as ranked
    where ranked.first_good_key < ranked._row_number
) as repeated
where {typed}._file_id = repeated._file_id and {typed}._row_number = repeated._row_number
