"""Google Cloud Pub/Sub adapters: publisher, outbound subscriber, the bus, push envelopes.

`envelope` is cheap to import (functions/main.py loads it at cold start); the modules that import
`google.cloud.pubsub_v1` are imported only when a client is first built.
"""
