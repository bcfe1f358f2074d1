"""Merchant console: tenants, partners, categories and the customer-management pages."""
