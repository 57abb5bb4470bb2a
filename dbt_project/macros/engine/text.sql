{#-
    Text functions whose names or results differ between engines. DuckDB's are the reference:
    regex_extract gives '' when the pattern does not match (DuckDB's regexp_extract), the
    patterns are the subset RE2 and Postgres read alike (classes, groups, alternation, anchors).
-#}

{#- An array of the parts of `expr` split at `separator`. -#}
{% macro split_text(expr, separator) -%}
    {{ return(adapter.dispatch('split_text', 'salespulse')(expr, separator)) }}
{%- endmacro %}

{% macro default__split_text(expr, separator) -%}
    string_split({{ expr }}, {{ separator }})
{%- endmacro %}

{% macro postgres__split_text(expr, separator) -%}
    string_to_array({{ expr }}, {{ separator }})
{%- endmacro %}

{#- Spark splits at a regular expression: the separator is quoted (\Q...\E) to split at it
    literally. -#}
{% macro spark__split_text(expr, separator) -%}
    split({{ expr }}, concat('\\Q', {{ separator }}, '\\E'))
{%- endmacro %}


{#- Select-list items: one row per part of `expr` split at `separator`, the part as `value`
    and its position (from 1) as `position`. -#}
{% macro split_to_rows(expr, separator, value, position) -%}
    {{ return(adapter.dispatch('split_to_rows', 'salespulse')(expr, separator, value, position)) }}
{%- endmacro %}

{% macro default__split_to_rows(expr, separator, value, position) -%}
    {%- set parts = salespulse.split_text(expr, separator) -%}
    unnest({{ parts }}) as {{ value }},
    generate_subscripts({{ parts }}, 1) as {{ position }}
{%- endmacro %}

{#- Spark: one generator per select, so the part and its position come out of one struct. -#}
{% macro spark__split_to_rows(expr, separator, value, position) -%}
    inline(transform({{ salespulse.split_text(expr, separator) }}, (part, i) -> struct(part, i + 1)))
        as ({{ value }}, {{ position }})
{%- endmacro %}


{#- Group `group` of the first match of `pattern` in `expr`, '' when it does not match. -#}
{% macro regex_extract(expr, pattern, group) -%}
    {{ return(adapter.dispatch('regex_extract', 'salespulse')(expr, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_extract(expr, pattern, group) -%}
    regexp_extract({{ expr }}, {{ pattern }}, {{ group }})
{%- endmacro %}

{% macro postgres__regex_extract(expr, pattern, group) -%}
    case
        when {{ expr }} is not null
            then coalesce((regexp_match({{ expr }}, {{ pattern }}))[{{ group }}], '')
    end
{%- endmacro %}


{#- Whether `pattern` matches anywhere in `expr`. -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'salespulse')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regex_matches(expr, pattern) -%}
    ({{ expr }} ~ {{ pattern }})
{%- endmacro %}

{% macro spark__regex_matches(expr, pattern) -%}
    ({{ expr }} rlike {{ pattern }})
{%- endmacro %}


{#- A strftime format as tokens, in order: {'field': 'Y'} for %Y, {'text': '-'} for literal text
    between fields. A field not in `known` (a mapping or list of field letters) fails the compile,
    naming `user`. The engines' format_date and try_parse_timestamp translate the tokens. -#}
{% macro strftime_tokens(format, known, user) -%}
    {%- set tokens = [] -%}
    {%- for part in format.split('%') -%}
        {%- if not loop.first -%}
            {%- if part[:1] not in known -%}
                {{ exceptions.raise_compiler_error(user ~ ": %" ~ part[:1] ~ " is not translated") }}
            {%- endif -%}
            {%- do tokens.append({'field': part[0], 'text': ''}) -%}
        {%- endif -%}
        {%- set literal = part if loop.first else part[1:] -%}
        {%- if literal -%}
            {%- do tokens.append({'field': '', 'text': literal}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tokens) }}
{%- endmacro %}


{#- A date or timestamp as text in a strftime format (%Y, %m, %d, %G, %V, %H, %M, %S and literal
    characters), e.g.
    '%Y-%m-%d', '%Y-%m', '%G-W%V' (ISO year and week). -#}
{% macro format_date(expr, format) -%}
    {{ return(adapter.dispatch('format_date', 'salespulse')(expr, format)) }}
{%- endmacro %}

{% macro default__format_date(expr, format) -%}
    strftime({{ expr }}, '{{ format }}')
{%- endmacro %}

{% macro postgres__format_date(expr, format) -%}
    {%- set fields = {
        'Y': 'YYYY', 'm': 'MM', 'd': 'DD', 'G': 'IYYY', 'V': 'IW', 'H': 'HH24', 'M': 'MI', 'S': 'SS'
    } -%}
    {%- set pattern = namespace(text='') -%}
    {%- for token in strftime_tokens(format, fields, 'format_date') -%}
        {%- if token.field -%}
            {%- set pattern.text = pattern.text ~ fields[token.field] -%}
        {%- else -%}
            {%- for char in token.text -%}
                {%- set pattern.text = pattern.text ~ ('"' ~ char ~ '"' if char.isalpha() else char) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    to_char({{ expr }}, '{{ pattern.text }}')
{%- endmacro %}

{#- Spark's date_format has no ISO week fields (week patterns were removed in Spark 3): the text
    is put together field by field. -#}
{% macro spark__format_date(expr, format) -%}
    {%- set fields = {
        'Y': "date_format(" ~ expr ~ ", 'yyyy')", 'm': "date_format(" ~ expr ~ ", 'MM')",
        'd': "date_format(" ~ expr ~ ", 'dd')", 'H': "date_format(" ~ expr ~ ", 'HH')",
        'M': "date_format(" ~ expr ~ ", 'mm')", 'S': "date_format(" ~ expr ~ ", 'ss')",
        'G': "lpad(cast(extract(yearofweek from " ~ expr ~ ") as string), 4, '0')",
        'V': "lpad(cast(weekofyear(" ~ expr ~ ") as string), 2, '0')"
    } -%}
    {%- set parts = [] -%}
    {%- for token in strftime_tokens(format, fields, 'format_date') -%}
        {%- do parts.append(fields[token.field] if token.field else "'" ~ token.text | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    concat({{ parts | join(', ') }})
{%- endmacro %}


{#- The ISO day of the week, 1 (Monday) to 7 (Sunday). -#}
{% macro iso_day_of_week(expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'salespulse')(expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expr) -%}
    isodow({{ expr }})
{%- endmacro %}

{% macro postgres__iso_day_of_week(expr) -%}
    extract(isodow from {{ expr }})
{%- endmacro %}

{% macro spark__iso_day_of_week(expr) -%}
    (weekday({{ expr }}) + 1)
{%- endmacro %}


{#- The ISO week of the year, 1 to 53. -#}
{% macro iso_week_of_year(expr) -%}
    {{ return(adapter.dispatch('iso_week_of_year', 'salespulse')(expr)) }}
{%- endmacro %}

{% macro default__iso_week_of_year(expr) -%}
    weekofyear({{ expr }})
{%- endmacro %}

{% macro postgres__iso_week_of_year(expr) -%}
    extract(week from {{ expr }})
{%- endmacro %}


{#- A number as text with `decimals` digits after the point, rounded half away from zero from
    its value to 9 decimals (5.35 -> '5.4', as a reader expects, and the same on every engine:
    printf on the double itself would round its binary value, 5.3499999..., to '5.3', and each
    engine's own float rounding differs). -#}
{% macro fixed_text(expr, decimals) -%}
    {{ return(adapter.dispatch('fixed_text', 'salespulse')(expr, decimals)) }}
{%- endmacro %}

{% macro default__fixed_text(expr, decimals) -%}
    printf('%.{{ decimals }}f', round(cast({{ expr }} as decimal(38, 9)), {{ decimals }}))
{%- endmacro %}

{% macro postgres__fixed_text(expr, decimals) -%}
    to_char(
        round(cast({{ expr }} as numeric(38, 9)), {{ decimals }}),
        'FM999999999999990{{ "." ~ "0" * decimals if decimals > 0 else "" }}'
    )
{%- endmacro %}

{% macro spark__fixed_text(expr, decimals) -%}
    cast(
        cast(round(cast({{ expr }} as decimal(38, 9)), {{ decimals }}) as decimal(38, {{ decimals }}))
        as string
    )
{%- endmacro %}
