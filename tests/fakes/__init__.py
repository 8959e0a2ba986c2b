"""Test doubles that speak real protocols on loopback (see ``github/README.md``)."""
