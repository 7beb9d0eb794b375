"""The support inbox: messages people leave for the support team from the
chat (stored encrypted, SQLite or PostgreSQL), the staff's handling of them
with an audit log, and the e-mail that tells the team a message is waiting.
Imports only `base`; used by the actions, the staff console and ops."""
