"""Concerns about members of staff and their cases (clauses 6.11, 7.3-7.6), as stored. The
rules are `fairwatch.cases`; `fairwatch.concerns.services` applies them through the gate."""
