"""Errors in what the user asked for, and how an entry point shows them: the message alone.

A `UserError` is a config value, an option, data or a checkpoint that cannot work as given. Its
message says what is wrong and how to put it right, so an entry point prints it without a
traceback (set `HYDRA_FULL_ERROR=1` to see one). Any other exception is a bug and keeps its
traceback.
"""

import functools
import os
from collections.abc import Callable
from typing import TypeVar

Result = TypeVar("Result")


class UserError(Exception):
    """Something the user gave (a config value, an option, data, a checkpoint) that cannot work."""


class ConfigError(UserError, ValueError):
    """A config value or combination of values that a run cannot train with."""


class DataNotFoundError(UserError, FileNotFoundError):
    """A dataset's files are nowhere to be found, and cannot be downloaded."""


class CorruptDataError(UserError, RuntimeError):
    """A dataset's files are there but cannot be read, or a download did not check out."""


class CheckpointError(UserError, ValueError):
    """A checkpoint that cannot be used as asked: missing, unreadable, unsafe or another model's."""


def user_error_in(error: BaseException) -> UserError | None:
    """The `UserError` that `error` is, or was raised from (Hydra's instantiate wraps what a
    constructor raises in an error of its own), if any."""
    while error is not None:
        if isinstance(error, UserError):
            return error
        error = error.__cause__
    return None


def answers_user_errors(entry: Callable[..., Result]) -> Callable[..., Result]:
    """Wrap an entry point so that a `UserError` ends it with its message alone and exit status 1,
    where Hydra would print a traceback first. `HYDRA_FULL_ERROR=1` lets it through whole."""

    @functools.wraps(entry)
    def wrapped(*args: object, **kwargs: object) -> Result:
        try:
            return entry(*args, **kwargs)
        except Exception as error:
            user_error = user_error_in(error)
            if user_error is None or os.environ.get("HYDRA_FULL_ERROR") == "1":
                raise
            raise SystemExit(f"Error: {user_error}") from None

    return wrapped
