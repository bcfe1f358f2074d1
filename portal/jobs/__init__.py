"""Background jobs: Redis-backed (RQ) when REDIS_URL is set, a thread in-process otherwise."""
