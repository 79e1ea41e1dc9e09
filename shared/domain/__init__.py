"""Pure logic with no I/O: money, catalog search, pricing, state machines, the rules parser."""
