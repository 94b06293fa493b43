"""The Qt face of MicroCRM (PySide6); talks to domain services only."""
