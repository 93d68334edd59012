"""The matching engine's core: plain Python over plain data, with no Django import."""
