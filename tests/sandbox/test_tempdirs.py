"""Temp dirs are gone: a program's files are invisible to the programs after it (checked
from inside the sandbox, where the work dirs live), and ``Executor.close()`` removes the host
temp root it created."""

from __future__ import annotations

import os
import textwrap

from rlvr_sweeps.sandbox import Executor, Job

MESSY = textwrap.dedent("""
    import os
    def make_mess():
        os.makedirs("a/b/c", exist_ok=True)
        for i in range(50):
            with open(f"a/b/c/f{i}.txt", "w") as fh:
                fh.write("x" * 1000)
        os.makedirs("locked/inner", exist_ok=True)
        with open("locked/inner/secret.txt", "w") as fh:
            fh.write("secret")
        os.chmod("locked/inner", 0)
        os.chmod("locked", 0)
        os.symlink("/etc/passwd", "link")
        os.mkfifo("fifo")
        return os.getcwd()
""")


def test_program_files_are_gone_for_the_next_programs(ex, leftovers):
    first = ex.run([Job(MESSY, [], capture=["make_mess()"])])[0]
    workdir = first.values[0]
    assert isinstance(workdir, str) and workdir.startswith(ex.tmp_root), first
    probe = "import os\ndef seen(p):\n    return [os.path.lexists(p), os.path.lexists(p + '/a/b/c/f0.txt')]"
    later = ex.run([Job(probe, [], capture=[f"seen({workdir!r})"])] * (ex.workers_n * ex.slots * 2))
    assert all(r.values == [[False, False]] for r in later), later
    assert leftovers(ex) == []


def test_leftover_probe_can_fail(leftover_probe):
    """The probe really sees a work dir that exists: run next to a program that is still
    running on the same worker, it reports that program's dir."""
    with Executor(workers=1, timeout_s=5.0, slots=2) as ex:
        sleeper = Job("import time\ntime.sleep(2)", ["assert True"])
        probe = Job("import time\ntime.sleep(0.3)\n" + leftover_probe, [], capture=["leftovers()"])
        sleeping, probed = ex.run([sleeper, probe])
    assert sleeping.passed and probed.values, (sleeping, probed)
    me, found = probed.values[0]
    slot, name = me.split("/")
    assert [f.split("/")[1] for f in found] == [f"w0-{int(name.rsplit('-', 1)[1]) - 1}"], probed
    assert found[0].split("/")[0] != slot, probed  # the sleeper's own slot dir


def test_close_removes_the_host_temp_root_it_created():
    ex = Executor(workers=1, timeout_s=5.0)
    root = ex.tmp_root
    assert os.path.isdir(root)
    result = ex.run([Job(MESSY, [], capture=["make_mess()"])])[0]
    assert result.values and result.values[0].startswith(root)
    ex.close()
    assert not os.path.exists(root)


def test_close_keeps_a_callers_temp_root_empty(tmp_path):
    root = tmp_path / "root"
    with Executor(workers=1, timeout_s=5.0, tmp_root=str(root)) as ex:
        ex.run([Job(MESSY, [], capture=["make_mess()"])])
    assert root.is_dir() and list(root.iterdir()) == []
