"""Other systems talking to gridgov (issue 17): API clients, the hotline's intake, webhooks, department
systems, and Open311 GeoReport v2 (:mod:`.open311`). A layer just above ``public | registry``: it may use
cases, public, notify …; nothing below imports it."""
