"""Internet use (clauses 3.1-3.3, 7): web-proxy and DNS logs parsed, categorised, pseudonymised
and added up, column by column (Polars), a chunk of the file at a time. No Django here."""
