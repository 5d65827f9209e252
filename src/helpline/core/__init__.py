"""Configuration, database, errors, clock, tokens and rate limiting shared by every domain."""
