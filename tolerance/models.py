"""容错纠错: models arrive with this area's issue."""
