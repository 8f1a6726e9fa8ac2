"""The privacy core: people in activity data are keyed pseudonyms, and only the gate turns a
pseudonym back into a person. Pure: no Django import."""
