"""The build half: recipes and toolchains (data, validated), the stages fetch -> compile -> aot
-> snapshot -> verify -> image -> publish, their keys and cache, attestations, and the entry points
that wire them (doit tasks, provisioning, `outdated`). It imports the foundations, the run half
(wasmimage.runtime) and the registry client; nothing outside it imports it but the command line.
"""
