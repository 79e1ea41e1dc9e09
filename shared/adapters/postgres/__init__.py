"""PostgreSQL: migrations, the embedded server and the direct RPC transport."""
