"""Admin of the evaluation part of the assessment."""
