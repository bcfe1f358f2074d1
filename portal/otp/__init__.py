"""One-time codes: challenges, sending over SMS backends, and verifying."""
