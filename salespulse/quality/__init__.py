"""Data quality: Great Expectations suites and, later, the data-quality rules."""
