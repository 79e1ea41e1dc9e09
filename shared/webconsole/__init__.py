"""The owner's web console: the shop at a glance, login by WhatsApp.

`console_blueprint(components)` (app.py) serves it under `/console` in the all-in-one server;
`cloud.serve` runs the same blueprint as the `console` Cloud Function. Pages read through the
store's `console_*` functions (migrations 0030–0031) and act through the same service functions
as the WhatsApp admin commands (shared/services/admin.py), so no rule exists twice.
"""
