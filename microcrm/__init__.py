"""MicroCRM: an on-premise desktop CRM for French small businesses."""

__version__ = "0.1.0"
