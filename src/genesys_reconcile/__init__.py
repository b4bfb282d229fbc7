"""GitOps reconciler for Genesys Cloud analytics segments and outbound segmentation rules.

The modules and packages below stand in layers, bottom to top. A module imports only from
layers below its own, never from above nor from a neighbour on its own line, so each layer can
be read, tested and changed knowing nothing of the layers above it (tests/test_layers.py holds
the code to this order). This package itself holds only the version, below everything.

    errors, files, redaction, text_safety, signals, pipes, loopback: leaves that import none of ours
    log: structured logs, secrets redacted
    manifest: the file formats: YAML with positions, JSON schemas, diagnostics, discovery
    settings, ownership: reconcile.yaml; reconcile.owned.yaml, what --prune may delete
    rules: outbound rule expressions, their compiler, overlap analysis
    genesys, sandbox: the HTTP client and the simulator, neither knowing the other
    kinds: one module per resource kind, and the segment field table
    validation: every check of a set of files, each dispatched to its kind
    scaffold: what `reconcile init` writes: one example per kind, settings, workflows
    preview: what a segment selects
    plan: what would change, and how a reviewer reads it
    apply, github, export: applying a plan; posting it to a pull request; writing an org as files
    connection: a client for the real org or for the embedded sandbox
    dashboard: every segment's preview served over HTTP
    cli: parses, calls one function, maps errors to exit codes
    __main__: `python -m genesys_reconcile`
"""

__version__ = "0.1.0"
