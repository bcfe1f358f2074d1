"""Customers: the records, their sign-up and sign-in, profile and edit links."""
