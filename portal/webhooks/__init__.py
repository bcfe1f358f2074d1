"""Webhooks: merchant endpoints and signed, retried deliveries of domain events."""
