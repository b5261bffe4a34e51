"""Source kinds: one small module per way a recipe can pin its sources' bytes.

    base.py     the Kind every module provides, the Source it works on, FetchSettings, and the
                Context the fetch stage hands down
    table.py    KINDS: the recipe key (url, git, ...) -> its Kind, the one place a kind is chosen
    url.py git.py pypi_sdist.py crate.py cargo_vendor.py debian_source.py    the kinds a recipe names
    pypi_wheel.py    the kind only toolchains name
    cargo.py    Cargo.lock and vendor archives (crate and cargo-vendor)
    pins.py     a recorded pin's origin (a URL or package URL)

The recipe loader, the fetch and build stages, the SBOM and `outdated` call a source's Kind through the
table and never compare kind names. The kinds import only base, one another (url asks
debian_source), cargo.py and the foundations (errors, log, files), so no arrow points back up.
This file imports nothing: importing one kind module (say debian_source, for its package URL)
loads only what it needs.
"""
