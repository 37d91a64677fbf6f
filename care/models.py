"""关心关爱: models arrive with this area's issue."""
