"""Other systems talking to gridgov (issue 17): API clients, the 12345 hotline's intake, webhooks, Open311.

A domain just above ``public | registry``, beside ``analysis``: it may use cases, public, notify …;
nothing below imports it."""
