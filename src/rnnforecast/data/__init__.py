"""Loading, validation, windowing and transforms: everything between a file and a tensor."""
