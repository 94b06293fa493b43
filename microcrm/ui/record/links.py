"""One-click links from a sheet: tel:, mailto: and web addresses, opened by the desktop."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices


def tel_url(phone: str) -> str:
    """``tel:`` link of a stored (E.164) or typed number; "" when empty."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return f"tel:{digits}" if digits else ""


def mailto_url(email: str) -> str:
    """``mailto:`` link; "" when empty."""
    email = email.strip()
    return f"mailto:{email}" if email else ""


def web_url(site: str) -> str:
    """A web address with its scheme (``www.x.fr`` → ``https://www.x.fr``); "" when empty."""
    site = site.strip()
    if not site:
        return ""
    return site if site.lower().startswith(("http://", "https://")) else f"https://{site}"


def open_link(url: str) -> bool:
    """Hand a link to the desktop (phone software, mail client, browser)."""
    if not url:
        return False
    return QDesktopServices.openUrl(QUrl(url))
