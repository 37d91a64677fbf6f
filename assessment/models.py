"""考核评价: models arrive with this area's issue."""
