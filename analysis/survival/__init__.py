"""The survival engine: arrays and frames in, frozen results out, as R's survival computes them.

Never touches the registry.
"""
