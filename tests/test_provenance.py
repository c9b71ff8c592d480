"""testzone.provenance: the code identity a run's manifest carries."""

import hashlib
import subprocess

from testzone.provenance import ROOT, source_digest, tool_identity


def _tree(tmp_path, text="x = 1\n"):
    (tmp_path / "pkg" / "sub").mkdir(parents=True, exist_ok=True)
    (tmp_path / "pkg" / "a.py").write_text(text)
    (tmp_path / "pkg" / "sub" / "w.json").write_text("{}")
    return tmp_path


def test_digest_is_the_documented_hash_of_paths_and_contents(tmp_path):
    root = _tree(tmp_path)
    lines = b"".join(f"{rel}".encode() + b"\0" + hashlib.sha256(data).hexdigest().encode() + b"\n"
                     for rel, data in [("pkg/a.py", b"x = 1\n"), ("pkg/sub/w.json", b"{}")])
    assert source_digest(root, ("pkg",)) == hashlib.sha256(lines).hexdigest()
    # bytecode caches do not count; a changed threshold does
    (root / "pkg" / "__pycache__").mkdir()
    (root / "pkg" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    same = source_digest(root, ("pkg",))
    assert same == hashlib.sha256(lines).hexdigest()
    (root / "pkg" / "sub" / "w.json").write_text('{"ttc": 1.5}')
    assert source_digest(root, ("pkg",)) != same


def test_identity_outside_a_checkout_has_no_commit(tmp_path):
    root = _tree(tmp_path)
    ident = tool_identity.__wrapped__(root)
    assert ident["git_commit"] is None and ident["git_dirty"] is None
    assert len(ident["source_sha256"]) == 64


def test_identity_of_this_checkout_names_its_commit():
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True)
    ident = tool_identity.__wrapped__(ROOT)   # uncached: HEAD as it is now
    if head.returncode != 0:          # an exported tree without .git
        assert ident["git_commit"] is None
    else:
        assert ident["git_commit"] == head.stdout.strip()
        assert isinstance(ident["git_dirty"], bool)
