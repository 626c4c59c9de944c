"""Unit-year tables: violence selected from a source, population, youth, deprivation, drivers; the data build."""
