"""sweep_dataset on a path that does not exist is a ValueError naming it, not a FileNotFoundError."""
import pytest

from ftheory.labeled import sweep_dataset


def test_missing_sweep_file_is_a_value_error(tmp_path):
    missing = tmp_path / "no_such_sweep.json"
    with pytest.raises(ValueError, match=r"no_such_sweep\.json.*neither sweep JSON text nor an existing file"):
        sweep_dataset(str(missing))
    with pytest.raises(ValueError, match="neither sweep JSON"):
        sweep_dataset(missing)          # os.PathLike too
