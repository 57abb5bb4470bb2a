{#-
    Keep one row per key: the row of the latest ingested file (greatest _file_id), then the
    latest row in that file. `tie_breakers` are extra order-by terms placed between the two.
-#}
{% macro latest_file_wins(keys, tie_breakers=[]) -%}
    row_number() over (
        partition by {{ keys | join(', ') }}
        order by _file_id desc{% for term in tie_breakers %}, {{ term }}{% endfor %}, _row_number desc
    ) = 1
{%- endmacro %}
