"""Domain services: every read and write of entries goes through here."""
