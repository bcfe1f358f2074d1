"""Short-lived edit links for billing address, shipping address and card (document 001)."""
