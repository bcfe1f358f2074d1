"""Staff accounts (owners, staff, retailer assistants), their sign-in and API tokens."""
