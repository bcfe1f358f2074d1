"""Retailer assistants registering walk-in shoppers (document 000)."""
