"""GitOps reconciler for Genesys Cloud analytics segments and outbound segmentation rules."""

__version__ = "0.1.0"
