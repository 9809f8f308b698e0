"""``okrsync serve``: okrsync as a long-lived service on one machine.

It syncs every unit (mapping file) on its cron schedule, reacts to webhook deliveries
within seconds, serves the dashboard and an API, and reports its health and metrics.
The parts: ``settings`` (the config's ``serve:`` section), ``cron`` (schedules),
``queue`` (how runs are queued and executed: ``RunQueue``), ``worker`` (executing one
unit run), ``webhooks``, ``metrics``, ``app`` (the HTTP endpoints) and ``service`` (all
of it under uvicorn, with a graceful stop). Importing this package imports no server.
"""
