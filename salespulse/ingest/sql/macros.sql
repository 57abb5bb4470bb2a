-- Text-to-type coercion used by ingest. Every macro returns NULL when the text cannot be read,
-- and the caller turns "text present, value NULL" into a reject reason.

create or replace temp macro sp_text(s) as nullif(trim(s), '');

-- Numbers as exported: currency marks, spaces, thousands separators, (…) for negatives and
-- the 万 (10,000), 千 and k (1,000) units. Amounts are DECIMAL(38, 10) here; the caller checks
-- that nothing is lost when they are stored.
create or replace temp macro sp_num_clean(s) as nullif(
    regexp_replace(upper(trim(s)), '(US\$|USD|RMB|CNY|EUR|GBP|[\s,，¥￥$€£元\x{00A0}\x{202F}])', '', 'g'),
    ''
);

-- Decimal comma (1.234,50): dots and spaces group thousands, the comma is the decimal point.
create or replace temp macro sp_num_clean_comma(s) as nullif(
    replace(
        regexp_replace(upper(trim(s)), '(US\$|USD|RMB|CNY|EUR|GBP|[\s.¥￥$€£元\x{00A0}\x{202F}])', '', 'g'),
        ',',
        '.'
    ),
    ''
);

create or replace temp macro sp_num_signed(t) as (
    case
        when t like '(%)' then '-' || substr(t, 2, length(t) - 2)
        when t like '-(%)' then '-' || substr(t, 3, length(t) - 3)
        else t
    end
);

create or replace temp macro sp_num_scaled(t) as (
    case
        when t like '%万' then try_cast(rtrim(t, '万') as decimal(38, 10)) * 10000
        when t like '%千' or t like '%K' then try_cast(left(t, -1) as decimal(38, 10)) * 1000
        else try_cast(t as decimal(38, 10))
    end
);

create or replace temp macro sp_number(s) as coalesce(
    -- Plain numbers take the native cast; only text with marks, separators or units is cleaned.
    try_cast(trim(s) as decimal(38, 10)),
    sp_num_scaled(sp_num_signed(sp_num_clean(s)))
);

create or replace temp macro sp_number_comma(s) as sp_num_scaled(sp_num_signed(sp_num_clean_comma(s)));

-- Stored at DECIMAL(18, 4) only when that keeps every digit: a value with more decimal places
-- is rejected with a reason rather than rounded.
create or replace temp macro sp_decimal(x) as (
    case when x = round(x, 4) then try_cast(x as decimal(18, 4)) end
);

create or replace temp macro sp_percent(s) as (
    case
        when sp_num_clean(s) like '%\%' escape '\'
            then try_cast(rtrim(sp_num_clean(s), '%') as double) / 100
        else try_cast(sp_number(s) as double)
    end
);

create or replace temp macro sp_integer(x) as (
    case when x = trunc(x) then try_cast(x as bigint) end
);

-- The typing of integer and decimal columns. Plain numbers, which most cells of most exports
-- are, take one native cast; any other text the full reading above (same results, as
-- tests/salespulse/ingest/test_ingest_fast_paths.py checks).
create or replace temp macro sp_integer_text(s) as (
    case
        when regexp_full_match(s, '-?[0-9]{1,18}') then cast(s as bigint)
        else sp_integer(sp_number(s))
    end
);

create or replace temp macro sp_integer_text_comma(s) as (
    case
        when regexp_full_match(s, '-?[0-9]{1,18}') then cast(s as bigint)
        else sp_integer(sp_number_comma(s))
    end
);

create or replace temp macro sp_decimal_text(s) as (
    case
        when regexp_full_match(s, '-?[0-9]{1,14}(\.[0-9]{1,4})?') then cast(s as decimal(18, 4))
        else sp_decimal(sp_number(s))
    end
);

create or replace temp macro sp_decimal_text_comma(s) as (
    case
        when regexp_full_match(s, '-?[0-9]{1,14}') then cast(s as decimal(18, 4))
        else sp_decimal(sp_number_comma(s))
    end
);

-- Excel stores dates as days since 1899-12-30; a bare 5-digit number in a date column is one.
create or replace temp macro sp_is_serial(s) as regexp_full_match(trim(s), '[1-9][0-9]{4}(\.[0-9]+)?');

-- ISO and year-first text, which is never ambiguous. Text with the year last (D/M/Y, M/D/Y)
-- is read only in the order the file showed (sp_*_dmy / sp_*_mdy), decided before typing.
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
            '%Y/%m/%d',
            '%Y.%m.%d',
            '%Y%m%d',
            '%Y年%m月%d日'
        ]
    )
);

create or replace temp macro sp_timestamp_dmy(s) as try_strptime(
    trim(s),
    [
        '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
        '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y',
        '%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y'
    ]
);

create or replace temp macro sp_timestamp_mdy(s) as try_strptime(
    trim(s),
    [
        '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %I:%M %p',
        '%m-%d-%Y %H:%M:%S', '%m-%d-%Y %H:%M', '%m-%d-%Y',
        '%m.%d.%Y %H:%M:%S', '%m.%d.%Y %H:%M', '%m.%d.%Y'
    ]
);

create or replace temp macro sp_date_any(s) as coalesce(
    try_cast(trim(s) as date),
    case
        when sp_text(s) is null then null
        when
            sp_is_serial(s)
            then cast(date '1899-12-30' + cast(floor(cast(trim(s) as double)) as integer) as date)
        else cast(sp_timestamp_local(s) as date)
    end
);

-- ISO dates, as most exports write them, take one native cast; other text the full reading.
create or replace temp macro sp_date(s) as (
    case
        when regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}') then try_cast(s as date)
        else sp_date_any(s)
    end
);

create or replace temp macro sp_date_dmy(s) as coalesce(sp_date(s), cast(sp_timestamp_dmy(s) as date));

create or replace temp macro sp_date_mdy(s) as coalesce(sp_date(s), cast(sp_timestamp_mdy(s) as date));

-- A contract's `formats:` (tried in order), plus what is never ambiguous: ISO text, which is
-- what workbook date cells become, and Excel serial numbers.
create or replace temp macro sp_timestamp_formats(s, formats) as (
    case
        when sp_text(s) is null then null
        when regexp_full_match(trim(s), '\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?')
            then try_cast(trim(s) as timestamp)
        when sp_is_serial(s)
            then
                timestamp '1899-12-30 00:00:00'
                + to_microseconds(cast(round(cast(trim(s) as double) * 86400000000) as bigint))
        else try_strptime(trim(s), formats)
    end
);

create or replace temp macro sp_date_formats(s, formats) as cast(sp_timestamp_formats(s, formats) as date);

-- Timestamps without an offset are business time already; with an offset (or Z) they are
-- converted to business time. Stored naive.
create or replace temp macro sp_timestamp_offset(s, tz) as (
    case
        when sp_text(s) is null then null
        -- 'YYYY-MM-DD HH:MM:SS' and shorter, without an offset: the native cast.
        when
            length(trim(s)) <= 19 and strpos(s, '+') = 0 and not ends_with(trim(s), 'Z')
            and try_cast(trim(s) as timestamp) is not null
            then try_cast(trim(s) as timestamp)
        when sp_is_serial(s)
            then
                timestamp '1899-12-30 00:00:00'
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

-- 'YYYY-MM-DD HH:MM[:SS]', as most exports write it, takes one native cast; other text the
-- full reading.
create or replace temp macro sp_timestamp(s, tz) as (
    case
        when regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?')
            then try_cast(s as timestamp)
        else sp_timestamp_offset(s, tz)
    end
);

create or replace temp macro sp_timestamp_dmy_tz(s, tz) as coalesce(
    sp_timestamp(s, tz), sp_timestamp_dmy(s)
);

create or replace temp macro sp_timestamp_mdy_tz(s, tz) as coalesce(
    sp_timestamp(s, tz), sp_timestamp_mdy(s)
);

create or replace temp macro sp_boolean(s) as (
    case
        when lower(trim(s)) in ('1', 'true', 't', 'yes', 'y', '是', '√') then true
        when lower(trim(s)) in ('0', 'false', 'f', 'no', 'n', '否', '×') then false
    end
);
