"""`make bench`: scale, speed and memory of the pipeline, against DuckDB's own floor."""
