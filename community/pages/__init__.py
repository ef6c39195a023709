"""Page assembly: what a page makes of the selectors' permission-checked reads.

View models (dataclasses the templates only print), display labels, URLs, and
the cache keys a page's entries are stored under. Selectors query and check
permissions; a view calls a selector, then a function here, then renders.
"""
