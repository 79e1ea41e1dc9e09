"""Adapters: the only modules that import SDKs and talk to the outside world."""
