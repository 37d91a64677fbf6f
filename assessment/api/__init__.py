"""REST API of the annual assessment (年度考核, DOMAIN §2) under /api/v1/assessment/."""
