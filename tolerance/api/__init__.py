"""REST API of fault tolerance and clearing of names (DOMAIN §4) under /api/v1/tolerance/."""
