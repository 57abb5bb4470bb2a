-- Text-to-type coercion used by ingest. Every macro returns NULL when the text cannot be read,
-- and the caller turns "text present, value NULL" into a reject reason.

create or replace temp macro sp_text(s) as nullif(trim(s), '');

-- Numbers as exported: thousands separators, currency signs, spaces, and the 万 (10,000) unit.
create or replace temp macro sp_num_text(s) as nullif(regexp_replace(trim(s), '[,，\s¥￥元]', '', 'g'), '');

create or replace temp macro sp_number(s) as coalesce(
    -- Plain numbers take the native cast; only text with separators or units is cleaned up.
    try_cast(trim(s) as decimal(30, 8)),
    case
        when sp_num_text(s) like '%万'
            then try_cast(rtrim(sp_num_text(s), '万') as decimal(30, 8)) * 10000
        else try_cast(sp_num_text(s) as decimal(30, 8))
    end
);

create or replace temp macro sp_percent(s) as (
    case
        when sp_num_text(s) like '%\%' escape '\'
            then try_cast(rtrim(sp_num_text(s), '%') as double) / 100
        else try_cast(sp_num_text(s) as double)
    end
);

create or replace temp macro sp_integer(s) as (
    case when sp_number(s) = trunc(sp_number(s)) then try_cast(sp_number(s) as bigint) end
);

-- Excel stores dates as days since 1899-12-30; a bare 5-digit number in a date column is one.
create or replace temp macro sp_is_serial(s) as regexp_full_match(trim(s), '[1-9][0-9]{4}(\.[0-9]+)?');

-- ISO text takes DuckDB's native cast; anything else is tried against the formats exports use.
create or replace temp macro sp_timestamp_local(s) as coalesce(
    try_cast(trim(s) as timestamp),
    try_strptime(
        trim(s),
        [
            '%Y/%m/%d %H:%M:%S',
            '%Y/%m/%d %H:%M',
            '%Y-%m-%d %H:%M',
            '%Y-%m-%dT%H:%M',
            '%Y.%m.%d %H:%M:%S',
            '%Y年%m月%d日 %H:%M:%S',
            '%Y年%m月%d日 %H:%M',
            '%m/%d/%Y %H:%M:%S',
            '%m/%d/%Y %H:%M',
            '%Y/%m/%d',
            '%Y.%m.%d',
            '%Y%m%d',
            '%Y年%m月%d日',
            '%m/%d/%Y'
        ]
    )
);

create or replace temp macro sp_date(s) as coalesce(
    try_cast(trim(s) as date),
    case
        when sp_text(s) is null then null
        when sp_is_serial(s) then cast(date '1899-12-30' + cast(floor(cast(trim(s) as double)) as integer) as date)
        else cast(sp_timestamp_local(s) as date)
    end
);

-- Timestamps without an offset are business time already; with an offset (or Z) they are
-- converted to business time. Stored naive.
create or replace temp macro sp_timestamp(s, tz) as (
    case
        when sp_text(s) is null then null
        -- 'YYYY-MM-DD HH:MM:SS' and shorter, without an offset: the native cast.
        when
            length(trim(s)) <= 19 and strpos(s, '+') = 0 and not ends_with(trim(s), 'Z')
            and try_cast(trim(s) as timestamp) is not null
            then try_cast(trim(s) as timestamp)
        when sp_is_serial(s)
            then timestamp '1899-12-30 00:00:00'
            + to_microseconds(cast(round(cast(trim(s) as double) * 86400000000) as bigint))
        when regexp_matches(trim(s), '([+-][0-9]{2}:?[0-9]{2}|Z)$')
            then timezone(
                tz,
                try_strptime(
                    regexp_replace(trim(s), 'Z$', '+00:00'),
                    ['%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z']
                )
            )
        else sp_timestamp_local(s)
    end
);

create or replace temp macro sp_boolean(s) as (
    case
        when lower(trim(s)) in ('1', 'true', 't', 'yes', 'y', '是', '√') then true
        when lower(trim(s)) in ('0', 'false', 'f', 'no', 'n', '否', '×') then false
    end
);
