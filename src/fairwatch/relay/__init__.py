"""The SMTP relay (clause 4): checks each message with the email engine, then passes it on,
warns, holds or rejects it, and never loses one it has accepted."""
