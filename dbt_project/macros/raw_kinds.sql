{#- Written by `salespulse sources` from the contracts in models/*.yaml: edit those, not this
    file. Every input kind: its key columns, whether it has submitted_at, the staging model
    that keeps its current rows. -#}
{% macro raw_kinds() -%}
    {{ return(fromjson('{
  "action_items": {
    "keys": [
      "action_id"
    ],
    "staging_model": "stg_raw__action_items",
    "submitted_at": false
  },
  "customers": {
    "keys": [
      "customer_id"
    ],
    "staging_model": "stg_raw__customers",
    "submitted_at": false
  },
  "daily_reports": {
    "keys": [
      "rep_id",
      "report_date"
    ],
    "staging_model": "stg_raw__daily_reports",
    "submitted_at": true
  },
  "opportunities": {
    "keys": [
      "opportunity_id",
      "snapshot_date"
    ],
    "staging_model": "stg_raw__opportunity_snapshots",
    "submitted_at": false
  },
  "orders": {
    "keys": [
      "order_id",
      "line_id"
    ],
    "staging_model": "stg_raw__orders",
    "submitted_at": false
  },
  "payments": {
    "keys": [
      "payment_id"
    ],
    "staging_model": "stg_raw__payments",
    "submitted_at": false
  },
  "receivables": {
    "keys": [
      "receivable_id"
    ],
    "staging_model": "stg_raw__receivables",
    "submitted_at": false
  },
  "roster": {
    "keys": [
      "rep_id",
      "effective_from"
    ],
    "staging_model": "stg_raw__roster_assignments",
    "submitted_at": false
  },
  "target_adjustments": {
    "keys": [
      "adjustment_id"
    ],
    "staging_model": "stg_raw__target_adjustments",
    "submitted_at": false
  },
  "targets": {
    "keys": [
      "level",
      "entity_id",
      "period",
      "metric"
    ],
    "staging_model": "stg_raw__targets",
    "submitted_at": false
  },
  "weekly_reports": {
    "keys": [
      "rep_id",
      "week_start"
    ],
    "staging_model": "stg_raw__weekly_reports",
    "submitted_at": true
  }
}')) }}
{%- endmacro %}
