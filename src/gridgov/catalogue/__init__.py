"""The published list of grid work (事项清单): lists, matters, applications, versions, publication."""
