"""`workbench run FILE` on a file that is not a suite (issue 13.17): one line naming the file and what a
suite is, and not one piece of the file's text (it may be private: a password file, an incident log).

Every file here is built by the test and carries a marker (``SECRET…``) in the places a parser message
would quote; the message must hold neither the marker nor any line of the file.
"""

from __future__ import annotations

import pytest

from conftest import run_cli
from workbench.errors import ParameterError
from workbench.report.suite import MAX_SUITE_BYTES, load_suite, resolve_suite_path

MARK = "SECRETzq7"

#: name -> (file name, content): files that are no suite at all.
FOREIGN: dict[str, tuple[str, bytes]] = {
    "password file": ("passwd", f"root:x:0:0:{MARK}:/root:/bin/bash\ndaemon:x:1:1:{MARK}d:/usr/sbin\n".encode()),
    "CSV": ("log.csv", f"event_id,date,province\n{MARK}-1,2020-01-01,Punjab\n".encode()),
    "binary, not UTF-8": ("photo.jpg", b"\xff\xd8\xff\xe0" + MARK.encode() + bytes(range(128, 256))),
    "binary, UTF-8 with control bytes": ("data.bin", MARK.encode() + b"\x00\x01\x02 " + MARK.encode()),
    "another YAML mapping": ("catalog.yaml", f"datasets:\n  - id: {MARK}\n    title: {MARK} title\n".encode()),
    "a YAML list": ("list.yaml", f"- {MARK}\n- two\n".encode()),
    "unclosed bracket": ("broken.yaml", f"key: [unclosed {MARK}\nfoo: bar\n".encode()),
    "tab indentation": ("tabs.yaml", f"a: 1\n\tb: {MARK}\n".encode()),
    "undefined alias": ("alias.yaml", f"a: *{MARK}\n".encode()),
    "python tag": ("tag.yaml", f"!!python/object:{MARK} x\n".encode()),
    "an int that is not": ("int.yaml", f"a: !!int {MARK}\n".encode()),
    "a date that is not": ("date.yaml", f"a: 2020-99-99  # {MARK}\n".encode()),
    "unknown escape": ("escape.yaml", f'a: "\\q {MARK}"\n'.encode()),
    "UTF-16 text": ("notes.txt", f"notes {MARK}\nmore {MARK}\n".encode("utf-16")),
    "Latin-1 text": ("latin.txt", f"caf\xe9 {MARK}\n".encode("latin-1")),
    "nested too deeply": ("deep.yaml", f"# {MARK}\n".encode() + b"[" * 20_000),
    "huge file": ("huge.yaml", f"{MARK}: 1\n".encode() * (MAX_SUITE_BYTES // 10)),
}

#: name -> YAML text: files shaped like a suite whose bad parts must not be quoted either.
SUITE_SHAPED: dict[str, str] = {
    "entry without path": f"notebooks:\n  - {{{MARK}: 1}}\n",
    "entry with other keys": f"notebooks:\n  - {{path: a, {MARK}: 1}}\n",
    "entry a list": f"notebooks:\n  - [{MARK}]\n",
    "parameters a list": f"parameters: [{MARK}]\nnotebooks: [a]\n",
    "notebook parameters a text": f"notebooks:\n  - {{path: a, parameters: {MARK}}}\n",
}


def _lines_of(content: bytes) -> list[str]:
    text = content.decode("utf-16") if content.startswith(b"\xff\xfe") else content.decode("utf-8", "ignore")
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= 4]


def _assert_quotes_nothing(message: str, path, content: bytes) -> None:
    assert "\n" not in message.strip(), message  # one line
    assert str(path) in message and "expected" in message
    assert MARK not in message, message
    assert [line for line in _lines_of(content) if line in message] == []


@pytest.mark.parametrize("case", list(FOREIGN))
def test_a_foreign_file_is_refused_without_quoting_it(tmp_path, case):
    name, content = FOREIGN[case]
    path = tmp_path / name
    path.write_bytes(content)
    done = run_cli("run", "--dry-run", str(path))
    assert done.returncode == 1 and done.stdout == ""
    message = done.stderr.strip()
    assert message.startswith(f"error: suite file {path}: "), message
    assert "expected a suite: a YAML mapping with 'notebooks'" in message
    _assert_quotes_nothing(message, path, content)


@pytest.mark.parametrize("case", list(SUITE_SHAPED))
def test_a_bad_part_of_a_suite_is_named_not_quoted(tmp_path, case):
    (tmp_path / "a.ipynb").write_text("{}")  # never read: the suite is refused first
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE_SHAPED[case])
    with pytest.raises(ParameterError) as caught:
        load_suite(path)
    _assert_quotes_nothing(str(caught.value), path, path.read_bytes())


def test_params_refuses_a_foreign_file_alike(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(FOREIGN["CSV"][1])
    done = run_cli("params", str(path))
    assert done.returncode == 1
    _assert_quotes_nothing(done.stderr, path, path.read_bytes())


def test_the_messages_say_what_was_found(tmp_path):
    cases = {"empty.yaml": ("", "found nothing"), "text.yaml": ("just words\n", "found a text"),
             "list.yaml": ("- a\n", "found a list"), "other.yaml": ("a: 1\n", "found a mapping without 'notebooks'"),
             "tabs.yaml": ("a: 1\n\tb: 2\n", "not valid YAML at line 2, column 1"),
             "big.yaml": ("a: 1\n" * (MAX_SUITE_BYTES // 4), "too large for a suite file (at most 1 MB)"),
             "bin.yaml": ("a\x00", "not a text file (a control character at line 1)")}
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(ParameterError, match=expected.replace("(", r"\(").replace(")", r"\)")):
            load_suite(tmp_path / name)


@pytest.mark.parametrize("target", ["/dev/zero", "folder"])
def test_a_folder_or_a_device_is_not_read(tmp_path, target):
    path = tmp_path if target == "folder" else target
    with pytest.raises(ParameterError, match="is not a regular file"):
        resolve_suite_path(str(path), tmp_path)
