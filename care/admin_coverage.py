"""Admin of the annual talk coverage: nothing is stored here — the coverage is computed from the
talks held (admin of the talks) and the coverage rules (admin of the policy lists)."""
