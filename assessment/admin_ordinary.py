"""Admin of the ordinary part of the assessment."""
