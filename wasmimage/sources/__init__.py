"""Source kinds: one small module per way a recipe can pin its sources' bytes.

    base.py     the Kind every module provides, FetchSettings, and the Context the fetch stage hands down
    table.py    KINDS: the recipe key (url, git, ...) -> its Kind, the one place a kind is chosen
    url.py git.py pypi_sdist.py crate.py cargo_vendor.py debian_source.py    the kinds

The fetch stage (wasmimage/fetch.py) owns the cache, the mirrors and HTTP, and imports the
table; the kinds import only base, one another (url asks debian_source), cargo.py, files and
the foundations (errors, log), so no arrow points back up. This file imports nothing:
importing one kind module (say debian_source, for its package URL) loads only what it needs.
"""
