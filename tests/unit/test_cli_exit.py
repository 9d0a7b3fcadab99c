"""The CLI leaves without Python's teardown (cli.main._leave), and loses nothing by it: the
exit status, every byte of output, the atexit handlers, the threads a normal exit waits for."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "podinfo-platform"


def run_main(prelude: str, *argv: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`fluxops ARGV` through the console entry point, after `prelude` (Python)."""
    code = textwrap.dedent(prelude) + textwrap.dedent(
        f"""
        import sys
        from fluxops.cli.main import main
        sys.argv = ["fluxops", *{list(argv)!r}]
        main()
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )


def test_every_byte_of_a_large_output_is_written(tmp_path: Path) -> None:
    proc = run_main("", "build", "--all", str(EXAMPLE), tmp_path=tmp_path)
    summary = run_main("", "build", "--all", str(EXAMPLE), "-o", "json", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
    # more than the 8 KiB buffer of a piped stdout: its tail is still buffered at the exit
    assert len(proc.stdout) > 8192
    assert len(docs) == json.loads(summary.stdout)["summary"]["objects"] > 10
    assert proc.stdout.endswith("\n")


def test_the_atexit_handlers_run_and_the_status_is_kept(tmp_path: Path) -> None:
    prelude = """
        import atexit, pathlib
        atexit.register(lambda: pathlib.Path("atexit-ran").write_text("yes"))
    """
    proc = run_main(prelude, "build", str(tmp_path / "no-such-folder"), tmp_path=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "no-such-folder" in proc.stderr
    assert (tmp_path / "atexit-ran").read_text() == "yes"


def test_a_usage_error_click_raises_keeps_its_status(tmp_path: Path) -> None:
    proc = run_main("", "build", "--no-such-flag", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert "No such option" in proc.stderr


def test_a_thread_still_running_is_waited_for(tmp_path: Path) -> None:
    """A program that embeds the CLI and left a (non-daemon) thread running: the exit is
    Python's own, which waits for it."""
    prelude = """
        import pathlib, threading, time
        def late():
            time.sleep(0.3)
            pathlib.Path("thread-done").write_text("yes")
        threading.Thread(target=late).start()
    """
    proc = run_main(prelude, "--version", tmp_path=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "fluxops" in proc.stdout
    assert (tmp_path / "thread-done").read_text() == "yes"


def test_a_closed_pipe_is_not_an_error_message(tmp_path: Path) -> None:
    code = (
        f'{sys.executable} -c \'import sys; sys.argv=["fluxops", "build", "--all", '
        f'"{EXAMPLE}"]; from fluxops.cli.main import main; main()\' | head -c 10'
    )
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", code], capture_output=True, text=True, timeout=120
    )
    assert len(proc.stdout) == 10
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


@pytest.mark.parametrize(
    ("status", "code", "printed"),
    [(None, 0, ""), (0, 0, ""), (1, 1, ""), (3, 3, ""), ("a message", 1, "a message\n")],
)
def test_exit_code_reads_its_argument_as_sys_exit_does(
    status: object, code: int, printed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from fluxops.cli.main import _exit_code

    assert _exit_code(status) == code
    assert capsys.readouterr().err == printed
