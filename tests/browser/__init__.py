"""Browser tests: user journeys through a real Chromium against the live app."""
