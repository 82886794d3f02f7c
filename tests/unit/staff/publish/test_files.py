"""The files of a version: its hash is the one scripts/train.sh names the model by; a
model's id is read from its metadata."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from staff.publish import PublishError
from staff.publish.files import data_hash, model_id
from tests.support.project import ROOT
from tests.support.publish_fakes import edit_downtime, fake_model


def test_the_data_hash_is_the_one_scripts_train_sh_names_the_model_by(data_root: Path) -> None:
    script = (ROOT / "scripts" / "train.sh").read_text()
    find = script[script.index('inputs="$(') + len('inputs="$(') : script.index(')"\n')]
    shell = f'cd {ROOT} && inputs="$({find})" && sha256sum $inputs | sha256sum | cut -c1-12'
    expected = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, check=True)
    assert data_hash(ROOT) == expected.stdout.strip()
    # The copy has the same data, so the same hash; an edit changes it.
    assert data_hash(data_root) == data_hash(ROOT)
    edit_downtime(data_root)
    assert data_hash(data_root) != data_hash(ROOT)


def test_a_model_id_is_the_one_in_its_metadata_and_a_model_without_is_refused(
    tmp_path: Path,
) -> None:
    model = tmp_path / "model.tar.gz"
    identifier = fake_model(model)
    assert model_id(model) == identifier
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz"):
        pass
    with pytest.raises(PublishError) as refused:
        model_id(empty)
    assert str(refused.value) == "The model empty.tar.gz has no metadata."
