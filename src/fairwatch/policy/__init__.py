"""The policy itself (Appendix 1): its versions, a school's own adaptation, and the model
Fairwatch ships.

``versions`` and ``model`` are pure Python: they must not import Django.
"""
