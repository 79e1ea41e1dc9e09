"""Supabase: the PostgREST RPC store transport (serverless deployment)."""
