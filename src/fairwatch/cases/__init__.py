"""Concerns about staff and the cases they become (clauses 6.11, 7.3-7.6): the rules, with
no storage and no Django."""
