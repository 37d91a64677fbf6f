"""激励选任: models arrive with this area's issue."""
