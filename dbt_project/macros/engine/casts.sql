{#-
    Casts that give NULL instead of failing, with DuckDB's TRY_CAST and TRY_STRPTIME as the
    reference. Postgres has neither: the run starts by creating small functions that catch the
    cast's error (engine_functions, an on-run-start hook), and a format list becomes one guarded
    parse per format, the first that reads the text winning, as in DuckDB.
-#}

{#- The statement an on-run-start hook runs: the functions the Postgres casts call. -#}
{% macro engine_functions() -%}
    {{ return(adapter.dispatch('engine_functions', 'salespulse')()) }}
{%- endmacro %}

{% macro default__engine_functions() -%}
    select 1 as engine_functions_not_needed
{%- endmacro %}

{% macro postgres__engine_functions() -%}
    create schema if not exists {{ target.schema }};
    create or replace function {{ target.schema }}.sp_try_bigint(value text) returns bigint
    language plpgsql immutable as $fn$
    begin
        -- DuckDB reads '3.7' as 4 and '1e3' as 1000: through numeric, rounded half away from 0.
        return round(value::numeric)::bigint;
    exception when others then
        return null;
    end
    $fn$;
    create or replace function {{ target.schema }}.sp_try_double(value text)
    returns double precision
    language plpgsql immutable as $fn$
    begin
        return value::double precision;
    exception when others then
        return null;
    end
    $fn$;
    create or replace function {{ target.schema }}.sp_try_timestamp(value text, format text)
    returns timestamp
    language plpgsql stable as $fn$
    begin
        -- to_timestamp reads in the session's time zone: back to the same wall-clock time.
        return to_timestamp(value, format) at time zone current_setting('TimeZone');
    exception when others then
        return null;
    end
    $fn$
{%- endmacro %}


{#- try_cast(expr as bigint | double). -#}
{% macro try_cast_number(expr, type) -%}
    {{ return(adapter.dispatch('try_cast_number', 'salespulse')(expr, type)) }}
{%- endmacro %}

{% macro default__try_cast_number(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro postgres__try_cast_number(expr, type) -%}
    {%- if type == 'bigint' -%}
        {{ target.schema }}.sp_try_bigint(cast({{ expr }} as text))
    {%- elif type == 'double' -%}
        {{ target.schema }}.sp_try_double(cast({{ expr }} as text))
    {%- else -%}
        {{ exceptions.raise_compiler_error("try_cast_number: bigint or double, not " ~ type) }}
    {%- endif -%}
{%- endmacro %}


{#- try_strptime(expr, formats): a timestamp from the first of the strptime formats that reads
    the text (%Y, %m, %d, %H, %M, %S and literal characters), NULL when none does. -#}
{% macro try_parse_timestamp(expr, formats) -%}
    {{ return(adapter.dispatch('try_parse_timestamp', 'salespulse')(expr, formats)) }}
{%- endmacro %}

{% macro default__try_parse_timestamp(expr, formats) -%}
    try_strptime({{ expr }}, [{% for format in formats %}'{{ format }}'{{ ', ' if not loop.last }}{% endfor %}])
{%- endmacro %}

{% macro postgres__try_parse_timestamp(expr, formats) -%}
    {%- set fields = {
        'Y': ('[0-9]{4}', 'YYYY'), 'm': ('[0-9]{1,2}', 'MM'), 'd': ('[0-9]{1,2}', 'DD'),
        'H': ('[0-9]{1,2}', 'HH24'), 'M': ('[0-9]{1,2}', 'MI'), 'S': ('[0-9]{1,2}', 'SS')
    } -%}
    coalesce(
    {%- for format in formats %}
        {%- set pattern = namespace(regex='^\\s*', pg='') -%}
        {%- for token in strftime_tokens(format, fields, 'try_parse_timestamp') -%}
            {%- if token.field -%}
                {%- set pattern.regex = pattern.regex ~ fields[token.field][0] -%}
                {%- set pattern.pg = pattern.pg ~ fields[token.field][1] -%}
            {%- endif -%}
            {%- for char in token.text -%}
                {%- set pattern.regex = pattern.regex ~ ('[' ~ char ~ ']' if char != ' ' else '\\s') -%}
                {%- set pattern.pg = pattern.pg ~ ('"' ~ char ~ '"' if char.isalpha() else char) -%}
            {%- endfor -%}
        {%- endfor %}
        case
            when {{ expr }} ~ '{{ pattern.regex }}\s*$'
                then {{ target.schema }}.sp_try_timestamp({{ expr }}, '{{ pattern.pg }}')
        end{{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{#- Spark: try_to_timestamp per format (Java patterns; one-letter month, day and time fields read
    one or two digits, as strptime does, except where fields touch with no separator). -#}
{% macro spark__try_parse_timestamp(expr, formats) -%}
    {%- set fields = {'Y': 'yyyy', 'm': 'M', 'd': 'd', 'H': 'H', 'M': 'm', 'S': 's'} -%}
    coalesce(
    {%- for format in formats %}
        {%- set tokens = strftime_tokens(format, fields, 'try_parse_timestamp') -%}
        {#- A field followed at once by another (%Y%m%d): fixed widths there. -#}
        {%- set adjacent = namespace(found=false) -%}
        {%- for token in tokens[1:] -%}
            {%- if token.field and tokens[loop.index0].field -%}
                {%- set adjacent.found = true -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set pattern = namespace(text='') -%}
        {%- for token in tokens -%}
            {%- if token.field -%}
                {%- set field = fields[token.field] -%}
                {%- set pattern.text = pattern.text
                    ~ (field * 2 if adjacent.found and field | length == 1 else field) -%}
            {%- endif -%}
            {%- for char in token.text -%}
                {%- set pattern.text = pattern.text ~ ("''" ~ char ~ "''" if char.isalpha() else char) -%}
            {%- endfor -%}
        {%- endfor %}
        try_to_timestamp({{ expr }}, '{{ pattern.text }}'){{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}
