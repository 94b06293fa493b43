"""Qt item models over domain services."""
