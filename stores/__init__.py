"""Where conversations and locks are kept, chosen by environment variables.

``endpoints.yml`` names these classes; with nothing set they are the embedded defaults
(SQLite file, in-memory locks) and with ``DATABASE_URL`` / ``REDIS_URL`` they are Rasa's
SQL tracker store on PostgreSQL and Rasa's Redis lock store, with no file edited.
"""
