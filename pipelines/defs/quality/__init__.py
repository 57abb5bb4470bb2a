"""Data quality: asset checks on the dq marts, Great Expectations suites on the marts, the digest."""
