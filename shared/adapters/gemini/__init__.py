"""Gemini adapter: per-key clients, error mapping, key rotation with cooldowns and breakers."""
