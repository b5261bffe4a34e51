"""The OCI registry room: references, the registry HTTP client, bounded pulls, layouts, targets.

  descriptors  media types, annotation keys, blob descriptors, digests, pull bounds
  reference    REGISTRY/REPO:TAG|@sha256:... and which hosts may be spoken to over plain http
  client       the distribution API client: auth challenges, uploads, bounded reads, retries
  pull         registry or OCI layout -> checked blobs in the cache -> checked image directory
  layout       an image directory -> a deterministic OCI image layout (for publish)
  target       where images and cache entries go: registry host and namespace

Standard library only (plus wasmimage's foundations and the image-opening code), so the
run-time half can pull images without the build pipeline's dependencies.
"""
