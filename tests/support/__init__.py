"""Test support: throwaway servers (PostgreSQL, Redis, SMTP), the live app and factories."""
