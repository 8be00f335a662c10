"""Studies: a registry in, typed reports out.

Analysis frames, the KM and Cox analyses, the score over time, pooling across sites.
"""
