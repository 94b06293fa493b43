"""CRM services: parties and lifecycle, lists and counts, segments, actions."""
