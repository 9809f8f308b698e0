"""``okrsync serve``: okrsync as a long-lived service on one machine.

It syncs every unit (mapping file) on its cron schedule, reacts to webhook deliveries
within seconds, serves the dashboard and an API, and reports its health and metrics.
The parts: ``settings`` (the config's ``serve:`` section), ``cron`` and ``scheduler``
(schedules), ``queue`` (how runs are queued and executed: ``RunQueue``), ``worker``
(executing one unit run), ``webhooks`` (signatures and which units a change concerns),
``metrics``, ``auth`` (the token and the session cookie), ``service`` (all of it, built
from the config), the endpoints (``webhook_endpoint``, ``api``, ``pages`` with
``dashboard``'s HTML), ``app`` (the ASGI app, its start and stop) and ``process``
(uvicorn until SIGTERM). Importing this package imports no server.
"""
