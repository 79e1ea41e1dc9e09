"""Cache adapters (`ports.Cache`): in-memory, Redis and Upstash REST, one contract."""

from __future__ import annotations

# Lua scripts shared by the Redis and Upstash adapters, so both are atomic on the server.
RELEASE_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# A read-then-write renewal has a gap in which the lock can expire and pass to another holder,
# whose lock the write would then take back; the server does the comparison and the new expiry
# in one step.
EXTEND_LOCK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

INCR_WITH_TTL = """
local value = redis.call('INCR', KEYS[1])
if value == 1 and tonumber(ARGV[1]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return value
"""


def to_millis(seconds: float) -> int:
    """A TTL in whole milliseconds, at least 1 (Redis refuses 0)."""
    return max(1, round(seconds * 1000))
