"""The outside channels (issue 17): API clients, the hotline, Open311, webhooks. Above cases and
public, beside analysis: it may import them; nothing below imports it."""
