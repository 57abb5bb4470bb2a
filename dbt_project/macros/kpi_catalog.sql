{#- Written by `salespulse kpis` from dbt_project/kpis.yml: edit that file, not this one.
    The KPI marts' columns as macros/kpi_mart.sql builds them. -#}
{% macro kpi_catalog() -%}
    {{ return(fromjson('{
  "marts": {
    "company/month": {
      "attributes": [],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "mom_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "mom",
      "key": null,
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "company/quarter": {
      "attributes": [],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "qoq_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "qoq",
      "key": null,
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "company/week": {
      "attributes": [],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "wow_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "wow",
      "key": null,
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "company/year": {
      "attributes": [],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": null,
      "key": null,
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "product/month": {
      "attributes": [],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "mom_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "mom",
      "key": "product_line",
      "traits": []
    },
    "region/month": {
      "attributes": [],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "mom_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "mom",
      "key": "region",
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "region/quarter": {
      "attributes": [],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "qoq_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "qoq",
      "key": "region",
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "region/week": {
      "attributes": [],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "wow_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "wow",
      "key": "region",
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "rep/day": {
      "attributes": [
        "team_id",
        "region",
        "rep_name",
        "team_name",
        "role"
      ],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "dod_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "dod",
      "key": "rep_id",
      "traits": [
        "target",
        "activity"
      ]
    },
    "rep/month": {
      "attributes": [
        "team_id",
        "region",
        "rep_name",
        "team_name",
        "role"
      ],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "mom_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "mom",
      "key": "rep_id",
      "traits": [
        "target",
        "activity"
      ]
    },
    "rep/quarter": {
      "attributes": [
        "team_id",
        "region",
        "rep_name",
        "team_name",
        "role"
      ],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "qoq_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "qoq",
      "key": "rep_id",
      "traits": [
        "target",
        "activity"
      ]
    },
    "rep/week": {
      "attributes": [
        "team_id",
        "region",
        "rep_name",
        "team_name",
        "role"
      ],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "wow_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "wow",
      "key": "rep_id",
      "traits": [
        "target",
        "activity"
      ]
    },
    "team/month": {
      "attributes": [
        "team_name",
        "region"
      ],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "mom_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "mom",
      "key": "team_id",
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "team/quarter": {
      "attributes": [
        "team_name",
        "region"
      ],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "qoq_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "qoq",
      "key": "team_id",
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    },
    "team/week": {
      "attributes": [
        "team_name",
        "region"
      ],
      "columns": [
        {
          "data_type": "varchar",
          "kind": "period",
          "name": "period_label"
        },
        {
          "data_type": "bigint",
          "kind": "headcount",
          "name": "rep_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "orders_count"
        },
        {
          "data_type": "decimal(18, 4)",
          "formula": "sales_amount / nullif(orders_count, 0)",
          "kind": "derived",
          "name": "avg_order_value"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "target",
          "name": "target_amount"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0)",
          "kind": "derived",
          "name": "completion_rate"
        },
        {
          "data_type": "double",
          "kind": "period",
          "name": "time_progress"
        },
        {
          "data_type": "double",
          "formula": "sales_amount / nullif(target_amount, 0) - time_progress",
          "kind": "derived",
          "name": "pace_gap"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "wow_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "previous",
          "data_type": "double",
          "kind": "growth",
          "name": "pop_sales_growth",
          "of": "sales_amount"
        },
        {
          "compare": "year_ago",
          "data_type": "double",
          "kind": "growth",
          "name": "yoy_sales_growth",
          "of": "sales_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_customers"
        },
        {
          "base": "report_new_leads",
          "data_type": "bigint",
          "kind": "flow",
          "name": "new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_new_leads"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "crm_leads_converted"
        },
        {
          "data_type": "double",
          "formula": "crm_leads_converted / nullif(crm_new_leads, 0)",
          "kind": "derived",
          "name": "lead_conversion_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "won_amount"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "won_count"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "lost_count"
        },
        {
          "data_type": "double",
          "formula": "won_count / nullif(won_count + lost_count, 0)",
          "kind": "derived",
          "name": "win_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "receivables_due_amount"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "flow",
          "name": "collected_amount"
        },
        {
          "data_type": "double",
          "formula": "collected_amount / nullif(receivables_due_amount, 0)",
          "kind": "derived",
          "name": "collection_rate"
        },
        {
          "data_type": "decimal(18, 4)",
          "kind": "balance",
          "name": "overdue_receivables"
        },
        {
          "data_type": "bigint",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_opportunities"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "open_pipeline"
        },
        {
          "data_type": "decimal(18, 4)",
          "from_first_snapshot": true,
          "kind": "balance",
          "name": "weighted_pipeline"
        },
        {
          "data_type": "double",
          "formula": "open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)",
          "kind": "derived",
          "name": "pipeline_coverage"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "visits"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "calls"
        },
        {
          "data_type": "double",
          "formula": "visits / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "visits_per_workday"
        },
        {
          "data_type": "double",
          "formula": "calls / nullif(workdays_elapsed, 0)",
          "kind": "derived",
          "name": "calls_per_workday"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_expected"
        },
        {
          "data_type": "bigint",
          "kind": "flow",
          "name": "daily_reports_on_time"
        },
        {
          "data_type": "double",
          "formula": "daily_reports_on_time / nullif(daily_reports_expected, 0)",
          "kind": "derived",
          "name": "on_time_rate"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_in_period"
        },
        {
          "data_type": "integer",
          "kind": "period",
          "name": "workdays_elapsed"
        },
        {
          "data_type": "boolean",
          "kind": "period",
          "name": "is_closed"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_start"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "period_end"
        },
        {
          "data_type": "date",
          "kind": "period",
          "name": "measured_through_date"
        }
      ],
      "growth": "wow",
      "key": "team_id",
      "traits": [
        "target",
        "activity",
        "headcount"
      ]
    }
  },
  "measures": {
    "all": [
      "sales_amount",
      "orders_count",
      "new_customers",
      "new_leads",
      "crm_new_leads",
      "crm_leads_converted",
      "won_amount",
      "won_count",
      "lost_count",
      "receivables_due_amount",
      "collected_amount",
      "overdue_receivables",
      "open_opportunities",
      "open_pipeline",
      "weighted_pipeline",
      "visits",
      "calls",
      "daily_reports_expected",
      "daily_reports_on_time"
    ],
    "flows": [
      "sales_amount",
      "orders_count",
      "new_customers",
      "new_leads",
      "crm_new_leads",
      "crm_leads_converted",
      "won_amount",
      "won_count",
      "lost_count",
      "receivables_due_amount",
      "collected_amount",
      "visits",
      "calls",
      "daily_reports_expected",
      "daily_reports_on_time"
    ],
    "product": [
      "sales_amount",
      "orders_count",
      "new_customers",
      "won_amount",
      "won_count",
      "lost_count",
      "receivables_due_amount",
      "collected_amount",
      "overdue_receivables",
      "open_opportunities",
      "open_pipeline",
      "weighted_pipeline"
    ]
  }
}')) }}
{%- endmacro %}
