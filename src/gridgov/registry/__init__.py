"""一标三实: the register of standard addresses, actual houses, people and units, special-group
tags and visits (issue 15). Tables in :mod:`gridgov.models.registry`; jurisdiction by each row's
``scope_code`` through :mod:`gridgov.authz.scope`."""
