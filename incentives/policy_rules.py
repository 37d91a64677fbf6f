"""Checks on the incentives policy lists before a version is published."""
