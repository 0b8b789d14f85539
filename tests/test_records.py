"""metrics.json's one reader and writer (`actlab.storage.records`): statuses as the file writes
them, the objective a sweeper gets, and a sweep's job folders in the order of their numbers."""

import json
import math
from pathlib import Path

from actlab.storage.records import (
    Status,
    job_folders,
    new_record,
    objective,
    read_record,
    write_record,
)


def test_a_record_is_written_whole_and_read_back_with_its_status_as_a_word(tmp_path: Path) -> None:
    record = new_record("val/acc", "max", {"activation": "gelu"}, ["s1"], [])
    record.update(status=Status.OK, best={"val/acc": 0.9})
    write_record(record, tmp_path / "run")
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["status"] == "ok"
    read = read_record(tmp_path / "run")
    assert read == record and read["status"] == Status.OK
    assert f"{Status.INTERRUPTED:>12}|{Status.OK}" == " interrupted|ok"
    assert read_record(tmp_path / "elsewhere") is None


def test_only_a_run_that_ended_ok_has_an_objective() -> None:
    record = new_record("val/loss", "min", {}, [], [])
    record["best"] = {"val/loss": 0.25}
    for status in Status:
        record["status"] = status
        if status == Status.OK:
            assert objective(record) == 0.25
        else:
            assert math.isnan(objective(record))
    assert {status for status in Status if status.finished} == {Status.OK, Status.DIVERGED}


def test_a_sweeps_job_folders_come_in_the_order_of_their_numbers(tmp_path: Path) -> None:
    for job in ("10", "2"):  # started: Hydra wrote their overrides
        (tmp_path / job / ".hydra").mkdir(parents=True)
        (tmp_path / job / ".hydra" / "overrides.yaml").write_text("[]")
    write_record(new_record("val/acc", "max", {}, [], []), tmp_path / "1")  # a record alone
    (tmp_path / ".submitit").mkdir()  # not a job
    assert [job.name for job in job_folders(tmp_path)] == ["1", "2", "10"]
