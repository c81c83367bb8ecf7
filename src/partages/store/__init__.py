"""Persistent state. SQLite by default (one file under ``$PARTAGES_HOME``)."""
