{#- Written by `salespulse rules` from dbt_project/quality.yml: edit that file, not this one.
    The thresholds' defaults and each finding kind's check, category and severity. -#}
{% macro quality_catalog() -%}
    {{ return(fromjson('{
  "kinds": {
    "activity_drop": {
      "category": "data_quality",
      "check": "activity_anomalies",
      "severity": "warn"
    },
    "activity_spike": {
      "category": "data_quality",
      "check": "activity_anomalies",
      "severity": "warn"
    },
    "behind_pace": {
      "category": "performance",
      "check": "behind_pace",
      "severity": "warn"
    },
    "duplicate_submission": {
      "category": "data_quality",
      "check": "duplicate_submissions",
      "severity": "warn"
    },
    "future_date": {
      "category": "data_quality",
      "check": "impossible_values",
      "severity": "error"
    },
    "impossible_value": {
      "category": "data_quality",
      "check": "impossible_values",
      "severity": "error"
    },
    "needs_coaching": {
      "category": "performance",
      "check": "needs_coaching",
      "severity": "warn"
    },
    "payment_exceeds_receivable": {
      "category": "data_quality",
      "check": "overpayments",
      "severity": "error"
    },
    "rejected_report": {
      "category": "data_quality",
      "check": "impossible_values",
      "severity": "error"
    },
    "submitted_before_day": {
      "category": "data_quality",
      "check": "impossible_values",
      "severity": "error"
    },
    "team_volume_drop": {
      "category": "data_quality",
      "check": "activity_anomalies",
      "severity": "warn"
    },
    "unknown_customer": {
      "category": "data_quality",
      "check": "unknown_references",
      "severity": "error"
    },
    "unknown_receivable": {
      "category": "data_quality",
      "check": "unknown_references",
      "severity": "error"
    },
    "unknown_rep": {
      "category": "data_quality",
      "check": "unknown_references",
      "severity": "error"
    },
    "zero_visit_streak": {
      "category": "data_quality",
      "check": "zero_visit_streaks",
      "severity": "warn"
    }
  },
  "thresholds": {
    "anomaly_z": 3.0,
    "baseline_working_days": 20,
    "behind_pace_points": 0.2,
    "coaching_completion": 0.8,
    "max_daily_visits": 50,
    "zero_visit_streak_days": 3
  }
}')) }}
{%- endmacro %}
