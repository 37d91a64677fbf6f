"""Admin of rank promotion: the rank ladder and rank rules are policy lists, edited with the
core's policy-list admin; eligibility is computed, never stored."""
