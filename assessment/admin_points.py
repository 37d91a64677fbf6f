"""Admin of the points part of the assessment."""
