"""Admin of this part of the incentives app."""
