"""Files: atomic writes and the model file format (JSON + raw tensors, never pickle)."""

from rnnforecast.io.atomic import atomic_path, atomic_write_bytes
from rnnforecast.io.modelfile import FORMAT_VERSION, read_model_file, write_model_file

__all__ = [
    "FORMAT_VERSION",
    "atomic_path",
    "atomic_write_bytes",
    "read_model_file",
    "write_model_file",
]
