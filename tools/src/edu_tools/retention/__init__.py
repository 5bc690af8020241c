"""Dev tooling around retention: the benchmark, ``edu retention`` (operator commands + bench)."""
