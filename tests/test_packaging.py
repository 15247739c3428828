"""What a user sees when Python finds regfast's source folder instead of the
installed package (running from the repository root without an editable
install): one message that says what happened and what to do."""
import shutil
import subprocess
import sys
from pathlib import Path

import regfast


def test_source_folder_without_kernels_says_what_to_do(tmp_path):
    source = Path(regfast.__file__).parent
    shutil.copytree(source, tmp_path / "regfast",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"))
    (tmp_path / "pyproject.toml").write_text("")      # looks like the repository
    # -S: no site-packages, so nothing but the source folder can be found
    out = subprocess.run([sys.executable, "-S", "-c", "import regfast"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert "imported the source folder" in last and "run from another directory" in last
    assert "circular import" not in last
