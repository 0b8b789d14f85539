"""ResumableOptunaSweeper: Hydra's Optuna sweeper, continued from its study's storage."""

from pathlib import Path
from typing import Any

from hydra_plugins.hydra_optuna_sweeper.optuna_sweeper import OptunaSweeper


def trials_so_far(study_name: str, storage: Any) -> int:
    """The number of trials the study `study_name` in `storage` holds (0 for a new study), the
    ones a stopped sweep left running recorded as failed first."""
    # Imported here: Hydra imports this module in every command as it looks for plugins, and
    # Optuna (with SQLAlchemy) takes 0.3 s to import; Hydra's own Optuna plugin defers it too.
    import optuna
    from optuna.trial import TrialState

    try:
        study = optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:  # no such study yet
        return 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study.tell(trial.number, state=TrialState.FAIL)
    return len(study.trials)


class ResumableOptunaSweeper(OptunaSweeper):
    """Hydra's Optuna sweeper, whose search survives a restart.

    With a `storage` (`hparams_search=optuna` keeps an SQLite file in the sweep folder), running
    the same command again with `resume=true` loads the study instead of starting over: trials
    that the stopped sweep left running are recorded as failed, the new trials' job folders follow
    the old ones, only the trials still missing from `n_trials` are run, and the sampler, reseeded,
    draws new points where the first sweep's seed would have drawn its old ones again.
    """

    def sweep(self, arguments: list[str]) -> Any:
        search = self.sweeper
        Path(search.config.hydra.sweep.dir).mkdir(parents=True, exist_ok=True)  # the storage's
        if search.storage is not None:
            done = trials_so_far(search.study_name, search.storage)
            search.job_idx = done
            search.n_trials = max(search.n_trials - done, 0)
            if done and hasattr(search.sampler, "reseed_rng"):
                # Seeded as before, the sampler would draw the points it drew before.
                search.sampler.reseed_rng()
        return super().sweep(arguments)
