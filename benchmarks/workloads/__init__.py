"""The benchmark workloads; each module measures one aspect and returns plain dicts of figures."""
