"""The Atlantic H2H sandbox: a faithful local stand-in for the supplier API."""
