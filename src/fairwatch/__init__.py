"""Fairwatch: a school's staff policy on email, internet and social media, put into practice."""

__version__ = "0.1.0"
