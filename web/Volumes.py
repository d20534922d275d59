"""Which volume the viewer opens, and whether a file is a volume it can open, said in one line."""

from __future__ import annotations

import gzip
import importlib.util
import os
import re
import zlib
from typing import Optional

# Uploads above this size are refused before they are read.
MAX_UPLOAD_BYTES = 256 * 1024 * 1024
# File name endings Slicer's volume reader opens; NIfTI files are checked in depth before Slicer reads them.
VOLUME_SUFFIXES = (".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd", ".hdr", ".img", ".vtk")
# nilearn ships the MNI152 2009 template (a real T1 brain MRI, 1 mm) inside its wheel.
DEFAULT_VOLUME = ("nilearn", ("datasets", "data", "mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz"))


def defaultVolumePath() -> str:
    """Return the path of the MNI152 T1 template shipped in the nilearn package (without importing nilearn)."""
    package, parts = DEFAULT_VOLUME
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the default volume needs the Python package {package} (pip install {package})")
    path = os.path.join(list(spec.submodule_search_locations)[0], *parts)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"the default volume is missing from the {package} package: {path}")
    return path


def volumeSuffix(name: str) -> Optional[str]:
    """Return the volume file ending of name (".nii.gz", ".nrrd", ...), or None if it is not a volume file name."""
    lower = name.lower()
    return next((suffix for suffix in sorted(VOLUME_SUFFIXES, key=len, reverse=True) if lower.endswith(suffix)), None)


def safeFileName(name: str) -> str:
    """Return name reduced to a plain file name that keeps its volume ending."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.basename(name.replace("\\", "/"))).lstrip(".")
    return base or "upload"


def checkVolumeFile(path: str) -> Optional[str]:
    """Return None if path looks like a complete volume file, else one line saying what is wrong."""
    name = os.path.basename(path)
    if not os.path.isfile(path):
        return f"{name}: no such file"
    if not os.access(path, os.R_OK):
        return f"{name}: cannot read the file"
    size = os.path.getsize(path)
    if size == 0:
        return f"{name}: the file is empty"
    if size > MAX_UPLOAD_BYTES:
        return f"{name}: the file is {size / 2**20:.0f} MB, more than the {MAX_UPLOAD_BYTES / 2**20:.0f} MB limit"
    suffix = volumeSuffix(name)
    if suffix is None:
        endings = ", ".join(VOLUME_SUFFIXES)
        return f"{name}: not a volume file (expected one of {endings})"
    if suffix in (".nii", ".nii.gz"):
        return _checkNifti(path, name)
    return None


def _checkNifti(path: str, name: str) -> Optional[str]:
    import nibabel

    try:
        image = nibabel.load(path)
    except Exception as error:  # nibabel raises many kinds for a file that is not NIfTI
        return f"{name}: not a NIfTI volume ({_oneLine(error)})"
    shape = image.shape
    if len(shape) < 3 or any(n < 1 for n in shape):
        return f"{name}: not a 3D volume (shape {shape})"
    header = image.header
    expected = int(header.get_data_offset()) + header.get_data_dtype().itemsize * _product(shape)
    try:
        actual = _uncompressedSize(path) if path.lower().endswith(".gz") else os.path.getsize(path)
    except (OSError, EOFError, zlib.error) as error:
        return f"{name}: the file is damaged or truncated ({_oneLine(error)})"
    if actual < expected:
        return f"{name}: the file is truncated ({actual} of {expected} bytes)"
    return None


def _uncompressedSize(path: str) -> int:
    total = 0
    with gzip.open(path, "rb") as stream:
        while True:
            block = stream.read(1 << 20)
            if not block:
                return total
            total += len(block)


def _product(values) -> int:
    result = 1
    for value in values:
        result *= int(value)
    return result


def _oneLine(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."
